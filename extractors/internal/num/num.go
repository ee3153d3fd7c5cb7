// Package num parses the numbers found in text input files strictly and
// without allocating.
package num

import (
	"bytes"
	"strconv"
)

// Decimal parses a plain decimal number: an optional sign, digits and an
// optional fraction ("12", "-6575", "0.12000000000000000000", ".5", "1.").
// Exponents, hex, "NaN", "Inf", underscores and surrounding spaces are
// refused, although strconv.ParseFloat alone would accept some of them.
func Decimal(b []byte) (float64, bool) {
	s := b
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	intPart, frac, _ := bytes.Cut(s, []byte{'.'})
	if len(intPart)+len(frac) == 0 || !AllDigits(intPart) || !AllDigits(frac) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}

// Count parses a non-negative decimal integer of at most 18 digits.
func Count(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 || !AllDigits(b) {
		return 0, false
	}
	var v int64
	for _, c := range b {
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// AllDigits reports whether every byte of b is an ASCII digit (true for
// an empty b).
func AllDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Digits returns the value of b, which must be ASCII digits (unchecked).
func Digits(b []byte) int {
	v := 0
	for _, c := range b {
		v = v*10 + int(c-'0')
	}
	return v
}
