package billingsim

import "fmt"

// MPRNCheckDigits returns the two check digits of a gas MPRN whose other
// digits are body: each digit is weighted by its distance from the end of
// body (the last digit weighs 1), and the sum modulo 11 is written as two
// digits. body must be ASCII digits.
func MPRNCheckDigits(body string) (string, error) {
	if body == "" {
		return "", fmt.Errorf("mprn: empty body")
	}
	sum := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("mprn: %q is not all digits", body)
		}
		sum += int(c-'0') * (len(body) - i)
	}
	return fmt.Sprintf("%02d", sum%11), nil
}

// ValidMPRN reports whether s is 3 to 11 digits whose last two are the
// check digits of the rest.
func ValidMPRN(s string) bool {
	if len(s) < 3 || len(s) > 11 {
		return false
	}
	want, err := MPRNCheckDigits(s[:len(s)-2])
	return err == nil && s[len(s)-2:] == want
}
