package csvx

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// fields renders records compactly: a quoted field in «», an unquoted one
// as is, NULL for an unquoted empty field.
func render(recs [][]Field) []string {
	var out []string
	for _, rec := range recs {
		var parts []string
		for _, f := range rec {
			switch {
			case f.IsNull():
				parts = append(parts, "NULL")
			case f.Quoted:
				parts = append(parts, "«"+f.Value+"»")
			default:
				parts = append(parts, f.Value)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func readAll(t *testing.T, in string, delim rune) ([]string, []int, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), delim)
	var recs [][]Field
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return render(recs), lines, nil
		}
		if err != nil {
			return render(recs), lines, err
		}
		recs = append(recs, rec)
		lines = append(lines, r.Line())
	}
}

func TestRead(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		delim rune
		want  []string
		lines []int
	}{
		{"plain", "a,b\n1,2\n", 0, []string{"a|b", "1|2"}, []int{1, 2}},
		{"no final newline", "a,b\n1,2", 0, []string{"a|b", "1|2"}, []int{1, 2}},
		{"crlf", "a,b\r\n1,2\r\n", 0, []string{"a|b", "1|2"}, []int{1, 2}},
		{"null and empty string", "a,b,c\n,\"\",x\n", 0, []string{"a|b|c", "NULL|«»|x"}, []int{1, 2}},
		{"trailing empty field", "a,b\n1,\n", 0, []string{"a|b", "1|NULL"}, []int{1, 2}},
		{"values kept as written", "code,n\n007, 1.50 \n", 0, []string{"code|n", "007| 1.50 "}, []int{1, 2}},
		{"quoted delimiter and quote", "a\n\"x,\"\"y\"\"\"\n", 0, []string{"a", "«x,\"y\"»"}, []int{1, 2}},
		{"multi-line field keeps its line break", "a,b\n\"one\r\ntwo\",3\n4,5\n", 0, []string{"a|b", "«one\r\ntwo»|3", "4|5"}, []int{1, 2, 4}},
		{"blank lines skipped", "a\n\n1\n\n", 0, []string{"a", "1"}, []int{1, 3}},
		{"bom skipped", "\ufeffa,b\n1,2\n", 0, []string{"a|b", "1|2"}, []int{1, 2}},
		{"semicolon", "a;b\n1,5;2\n", ';', []string{"a|b", "1,5|2"}, []int{1, 2}},
		{"multibyte delimiter", "a¦b\n1¦«2»\n", '¦', []string{"a|b", "1|«2»"}, []int{1, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, lines, err := readAll(t, c.in, c.delim)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("got %q at lines %v, want %q at %v", got, lines, c.want, c.lines)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"quote in unquoted field", "a\nx\"y\n", 2, "a quote inside an unquoted field"},
		{"text after closing quote", "a\n\"x\"y\n", 2, "unexpected text after a closing quote"},
		{"never closed", "a,b\n1,\"two\nthree\n", 2, "quoted field is never closed"},
		{"invalid utf-8", "a\n\xff\n", 2, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(t, c.in, 0)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("got %v, want line %d: %s", pe, c.line, c.msg)
			}
		})
	}
}
