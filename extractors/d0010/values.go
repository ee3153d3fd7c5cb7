package d0010

import (
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/num"
)

// parseDateTime parses a DTC date-time "yyyymmddhhmmss" as a wall-clock
// time (in UTC, standing for "no zone"). It rejects impossible dates rather
// than normalising them.
func parseDateTime(b []byte) (time.Time, bool) {
	if len(b) != 14 || !num.AllDigits(b) {
		return time.Time{}, false
	}
	y, mo, d := num.Digits(b[0:4]), num.Digits(b[4:6]), num.Digits(b[6:8])
	h, mi, s := num.Digits(b[8:10]), num.Digits(b[10:12]), num.Digits(b[12:14])
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if t.Day() != d { // 31 April, 29 February in a common year, ...
		return time.Time{}, false
	}
	return t, true
}
