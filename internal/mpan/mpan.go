// Package mpan validates and builds MPAN cores, the 13-digit identifiers of
// UK electricity metering points (data item J0003).
//
// The 13th digit of a core is a check digit over the first twelve: each digit
// is multiplied by the prime weights 3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41,
// 43, and the sum modulo 11, then modulo 10, is the check digit.
//
// Every function here is pure and safe for concurrent use.
package mpan

import (
	"errors"
	"fmt"
)

// Length is the number of digits in an MPAN core.
const Length = 13

var weights = [Length - 1]int{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}

// ErrFormat is returned (wrapped) when input is not the expected number of
// ASCII digits.
var ErrFormat = errors.New("mpan: not the expected number of ASCII digits")

// CheckDigit returns the check digit, as an ASCII character '0'..'9', for
// the first twelve digits of an MPAN core. first12 must be exactly twelve
// ASCII digits, otherwise the error wraps ErrFormat.
func CheckDigit(first12 string) (byte, error) {
	if len(first12) != Length-1 {
		return 0, fmt.Errorf("%w: %q has %d characters, want %d", ErrFormat, first12, len(first12), Length-1)
	}
	sum := 0
	for i := 0; i < Length-1; i++ {
		c := first12[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q has %q at position %d", ErrFormat, first12, c, i+1)
		}
		sum += int(c-'0') * weights[i]
	}
	return byte('0' + sum%11%10), nil
}

// Valid reports whether core is exactly 13 ASCII digits whose last digit is
// the check digit of the first twelve. Surrounding whitespace makes it
// invalid; callers trim first.
func Valid(core string) bool {
	if len(core) != Length {
		return false
	}
	want, err := CheckDigit(core[:Length-1])
	return err == nil && core[Length-1] == want
}

// ValidBytes is Valid for a byte slice; it does not allocate.
func ValidBytes(core []byte) bool {
	if len(core) != Length {
		return false
	}
	sum := 0
	for i := 0; i < Length-1; i++ {
		c := core[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	return core[Length-1] == byte('0'+sum%11%10)
}

// Complete appends the check digit to twelve ASCII digits, giving a valid
// 13-digit core. The error wraps ErrFormat when first12 is malformed.
func Complete(first12 string) (string, error) {
	d, err := CheckDigit(first12)
	if err != nil {
		return "", err
	}
	return first12 + string(rune(d)), nil
}

// Make builds a valid core from a two-digit distributor id (10..99, the
// first two digits of every core) and a unique number n < 10^10 that fills
// digits 3 to 12, zero-padded. It is meant for tests and invented sample
// data: equal inputs give equal cores, distinct inputs distinct cores.
func Make(distributor int, n uint64) (string, error) {
	if distributor < 10 || distributor > 99 {
		return "", fmt.Errorf("mpan: distributor id %d is not two digits", distributor)
	}
	if n >= 10_000_000_000 {
		return "", fmt.Errorf("mpan: unique number %d has more than ten digits", n)
	}
	return Complete(fmt.Sprintf("%02d%010d", distributor, n))
}
