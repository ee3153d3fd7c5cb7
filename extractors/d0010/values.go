package d0010

import (
	"bytes"
	"strconv"
	"time"
)

// parseDateTime parses a DTC date-time "yyyymmddhhmmss" as a wall-clock
// time (in UTC, standing for "no zone"). It rejects impossible dates rather
// than normalising them.
func parseDateTime(b []byte) (time.Time, bool) {
	if len(b) != 14 || !allDigits(b) {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, s := num(0, 4), num(4, 2), num(6, 2), num(8, 2), num(10, 2), num(12, 2)
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if t.Day() != d { // 31 April, 29 February in a common year, ...
		return time.Time{}, false
	}
	return t, true
}

// parseDecimal parses a plain decimal number: an optional sign, digits and
// an optional fraction. Exponents, hex, "NaN", "Inf" and underscores are
// refused, which strconv.ParseFloat alone would accept.
func parseDecimal(b []byte) (float64, bool) {
	s := b
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	intPart, frac, dot := bytes.Cut(s, []byte{'.'})
	if len(intPart)+len(frac) == 0 || !allDigits(intPart) || !allDigits(frac) || (dot && len(intPart)+len(frac) == 0) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}

// parseCount parses a non-negative decimal integer.
func parseCount(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 || !allDigits(b) {
		return 0, false
	}
	var v int64
	for _, c := range b {
		v = v*10 + int64(c-'0')
	}
	return v, true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
