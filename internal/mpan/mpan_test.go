package mpan

import (
	"errors"
	"testing"
)

// The eleven MPAN cores of the public Kraken D0010 sample file; all valid.
var realCores = []string{
	"1200023305967", "1900001059816", "1200033197420", "1200031039874",
	"1591055549625", "2200031930792", "1200022664056", "1900005260419",
	"1013044353630", "1900005281720", "2000055433806",
}

func TestValidAcceptsTheRealKrakenCores(t *testing.T) {
	for _, c := range realCores {
		if !Valid(c) {
			t.Errorf("Valid(%q) = false, want true", c)
		}
		if !ValidBytes([]byte(c)) {
			t.Errorf("ValidBytes(%q) = false, want true", c)
		}
		d, err := CheckDigit(c[:12])
		if err != nil || d != c[12] {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", c[:12], d, err, c[12])
		}
	}
}

func TestEverySingleDigitChangeOfARealCoreIsInvalid(t *testing.T) {
	// The weights are all coprime with 11, so changing any one of the first
	// twelve digits changes the sum mod 11. That changes the check digit
	// unless the residue moves between 0 and 10, which both give '0'; so a
	// mutation can only slip through for cores whose check digit is '0'.
	for _, c := range realCores {
		for i := 0; i < Length; i++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == c[i] {
					continue
				}
				b := []byte(c)
				b[i] = d
				m := string(b)
				if Valid(m) && (i == Length-1 || c[Length-1] != '0') {
					t.Errorf("Valid(%q) = true for a one-digit change of %q", m, c)
				}
			}
		}
	}
}

func TestCheckDigitHandComputed(t *testing.T) {
	tests := []struct {
		first12 string
		want    byte
	}{
		// 1*3 + 2*5 + ... computed by hand in the comments.
		{"000000000000", '0'}, // sum 0
		{"100000000000", '3'}, // 3 mod 11 = 3
		{"000000000001", '0'}, // 43 mod 11 = 10, mod 10 = 0
		{"000000000010", '8'}, // 41 mod 11 = 8
		{"200000000000", '6'}, // 6
		{"400000000000", '1'}, // 12 mod 11 = 1
	}
	for _, tt := range tests {
		got, err := CheckDigit(tt.first12)
		if err != nil || got != tt.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", tt.first12, got, err, tt.want)
		}
	}
}

func TestInvalidInputs(t *testing.T) {
	for _, c := range []string{
		"",
		"1200023305966",  // wrong check digit
		"1200023305968",  // wrong check digit
		"2200031930793",  // wrong check digit
		"120002330596",   // 12 digits
		"12000233059670", // 14 digits
		" 1200023305967", // padded
		"12000233059A7",  // letter
		"１200023305967",  // full-width digit
	} {
		if Valid(c) {
			t.Errorf("Valid(%q) = true, want false", c)
		}
		if ValidBytes([]byte(c)) {
			t.Errorf("ValidBytes(%q) = true, want false", c)
		}
	}
	for _, s := range []string{"", "12345678901", "1234567890123", "12345678901x"} {
		if _, err := CheckDigit(s); !errors.Is(err, ErrFormat) {
			t.Errorf("CheckDigit(%q) error = %v, want ErrFormat", s, err)
		}
		if _, err := Complete(s); !errors.Is(err, ErrFormat) {
			t.Errorf("Complete(%q) error = %v, want ErrFormat", s, err)
		}
	}
}

func TestMake(t *testing.T) {
	c, err := Make(19, 42)
	if err != nil {
		t.Fatal(err)
	}
	if c[:12] != "190000000042" || !Valid(c) {
		t.Errorf("Make(19, 42) = %q, want a valid core starting 190000000042", c)
	}
	if c2, _ := Make(19, 43); c2 == c {
		t.Errorf("Make gave %q for two different numbers", c)
	}
	for _, tt := range []struct {
		d int
		n uint64
	}{{9, 1}, {100, 1}, {10, 10_000_000_000}} {
		if _, err := Make(tt.d, tt.n); err == nil {
			t.Errorf("Make(%d, %d) succeeded, want an error", tt.d, tt.n)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, c := range realCores {
		f.Add(c)
	}
	f.Add("0000000000000")
	f.Add("12000233059x7")
	f.Fuzz(func(t *testing.T, s string) {
		v := Valid(s)
		if v != ValidBytes([]byte(s)) {
			t.Fatalf("Valid and ValidBytes disagree on %q", s)
		}
		if len(s) == Length && v {
			c, err := Complete(s[:12])
			if err != nil || c != s {
				t.Fatalf("Complete(%q) = %q, %v; want %q", s[:12], c, err, s)
			}
		}
		if len(s) == Length-1 {
			if c, err := Complete(s); err == nil && !Valid(c) {
				t.Fatalf("Complete(%q) = %q is not Valid", s, c)
			}
		}
	})
}
