package lines

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type got struct {
	line    string
	tooLong bool
	n       int64
}

func readAll(t *testing.T, r io.Reader) []got {
	t.Helper()
	lr := NewReader(r)
	var out []got
	for {
		l, long, err := lr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got{string(l), long, lr.Line()})
	}
}

func TestNext(t *testing.T) {
	long := strings.Repeat("x", MaxLen+10)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"lf", "a\nb\n", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"no final newline", "a\nb", []string{"a", "b"}},
		{"blank lines kept", "a\n\n\r\nb\n", []string{"a", "", "", "b"}},
		{"bom dropped on line 1 only", "\xEF\xBB\xBFa\n\xEF\xBB\xBFb\n", []string{"a", "\xEF\xBB\xBFb"}},
		{"lone cr inside a line is kept", "a\rb\n", []string{"a\rb"}},
		{"line of exactly MaxLen-1 plus newline", strings.Repeat("y", MaxLen-1) + "\nz", []string{strings.Repeat("y", MaxLen-1), "z"}},
		{"too long then more", long + "\nz\n", []string{long[:keepLong], "z"}},
		{"too long at eof", "a\n" + long, []string{"a", long[:keepLong]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				out := readAll(t, r)
				if len(out) != len(tt.want) {
					t.Fatalf("got %d lines, want %d", len(out), len(tt.want))
				}
				for i, g := range out {
					if g.line != tt.want[i] {
						t.Errorf("line %d = %.40q, want %.40q", i+1, g.line, tt.want[i])
					}
					if g.n != int64(i+1) {
						t.Errorf("Line() = %d, want %d", g.n, i+1)
					}
					if g.tooLong != (len(tt.want[i]) == keepLong && strings.HasPrefix(long, tt.want[i])) {
						t.Errorf("line %d tooLong = %v", i+1, g.tooLong)
					}
				}
			}
		})
	}
}

func TestNextPassesReadErrorsThrough(t *testing.T) {
	boom := errors.New("boom")
	lr := NewReader(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom)))
	if l, _, err := lr.Next(); err != nil || string(l) != "a" {
		t.Fatalf("first Next = %q, %v", l, err)
	}
	if _, _, err := lr.Next(); !errors.Is(err, boom) {
		t.Fatalf("second Next error = %v, want boom", err)
	}
}

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"abc":                   "abc",
		"abc\r\ndef":            "abc",
		"\xEF\xBB\xBFabc\ndef":  "abc",
		"\xEF\xBB\xBF\r\nabc\n": "",
	} {
		if got := string(FirstLine([]byte(in))); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}
