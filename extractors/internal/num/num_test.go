package num

import (
	"strings"
	"testing"
)

func TestDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12", 12, true},
		{"-6575", -6575, true},
		{"+1.5", 1.5, true},
		{"0.12000000000000000000", 0.12, true},
		{"1.0360000000000000", 1.036, true},
		{".5", 0.5, true},
		{"1.", 1, true},
		{"999999", 999999, true},
		{"", 0, false},
		{"-", 0, false},
		{".", 0, false},
		{"1e5", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"12O45", 0, false},
		{"VOID", 0, false},
		{" 1", 0, false},
		{"1.2.3", 0, false},
		{"--1", 0, false},
	}
	for _, tt := range tests {
		got, ok := Decimal([]byte(tt.in))
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Decimal(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCount(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "2": 2, "007": 7, "123456789012345678": 123456789012345678} {
		if got, ok := Count([]byte(in)); !ok || got != want {
			t.Errorf("Count(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "1.0", "x", strings.Repeat("9", 19)} {
		if _, ok := Count([]byte(in)); ok {
			t.Errorf("Count(%q) ok, want refused", in)
		}
	}
}

func TestDecimalDoesNotAllocate(t *testing.T) {
	b := []byte("0.12000000000000000000")
	if n := testing.AllocsPerRun(100, func() { Decimal(b) }); n != 0 {
		t.Errorf("Decimal allocates %v times", n)
	}
}
