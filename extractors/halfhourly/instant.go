package halfhourly

import (
	"time"

	"github.com/cdw-dev/cdw/extractors/internal/num"
)

// instantStatus is the outcome of parseInstant.
type instantStatus int

const (
	instantOK       instantStatus = iota
	instantBad                    // not an ISO-8601 date-time
	instantNoOffset               // a valid local date-time without a UTC offset
)

// parseInstant parses an ISO-8601 date-time with a UTC offset and returns
// the instant in UTC: "YYYY-MM-DD", "T" or a space, "hh:mm", optionally
// ":ss" and a fraction of up to nine digits, then "Z", "±hh:mm", "±hhmm" or
// "±hh". Impossible dates (30 February) are refused, not normalised. It does
// not allocate.
func parseInstant(b []byte) (time.Time, instantStatus) {
	if len(b) < 16 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' {
		return time.Time{}, instantBad
	}
	for _, r := range [][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}} {
		if !num.AllDigits(b[r[0]:r[1]]) {
			return time.Time{}, instantBad
		}
	}
	y, mo, d := num.Digits(b[0:4]), num.Digits(b[5:7]), num.Digits(b[8:10])
	h, mi, s, ns := num.Digits(b[11:13]), num.Digits(b[14:16]), 0, 0
	rest := b[16:]
	if len(rest) >= 3 && rest[0] == ':' && num.AllDigits(rest[1:3]) {
		s = num.Digits(rest[1:3])
		rest = rest[3:]
		if len(rest) >= 2 && (rest[0] == '.' || rest[0] == ',') {
			i := 1
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			if i == 1 || i > 10 {
				return time.Time{}, instantBad
			}
			ns = num.Digits(rest[1:i])
			for k := i; k < 10; k++ {
				ns *= 10
			}
			rest = rest[i:]
		}
	}
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, instantBad
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	if t.Day() != d {
		return time.Time{}, instantBad
	}
	offset, st := parseOffset(rest)
	if st != instantOK {
		return time.Time{}, st
	}
	return t.Add(-offset), instantOK
}

func parseOffset(b []byte) (time.Duration, instantStatus) {
	switch {
	case len(b) == 0:
		return 0, instantNoOffset
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		return 0, instantOK
	case b[0] != '+' && b[0] != '-':
		return 0, instantBad
	}
	sign := time.Duration(1)
	if b[0] == '-' {
		sign = -1
	}
	b = b[1:]
	var hh, mm []byte
	switch {
	case len(b) == 2:
		hh = b
	case len(b) == 4:
		hh, mm = b[:2], b[2:]
	case len(b) == 5 && b[2] == ':':
		hh, mm = b[:2], b[3:]
	default:
		return 0, instantBad
	}
	if !num.AllDigits(hh) || !num.AllDigits(mm) {
		return 0, instantBad
	}
	h, m := num.Digits(hh), num.Digits(mm)
	if h > 23 || m > 59 {
		return 0, instantBad
	}
	return sign * (time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), instantOK
}
