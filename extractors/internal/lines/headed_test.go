package lines

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/extract"
)

type seen struct {
	header string
	rows   []string
	reject []string
}

func (s *seen) headed(reason string) Headed {
	return Headed{
		Extractor: "x", File: "f.csv",
		Header: func(line []byte) string { s.header = string(line); return reason },
		Row:    func(n int64, line []byte) error { s.rows = append(s.rows, string(line)); return nil },
		Reject: func(r extract.Rejection) error {
			s.reject = append(s.reject, fmt.Sprintf("%d:%s", r.Line, r.Reason))
			return nil
		},
	}
}

func TestHeadedSkipsBlankLinesAndRejectsLongOnes(t *testing.T) {
	var s seen
	body := "\r\n  \nh1,h2\r\na,b\n\n" + strings.Repeat("z", MaxLen+1) + "\nc,d"
	if err := s.headed("").Run(context.Background(), NewReader(strings.NewReader(body))); err != nil {
		t.Fatal(err)
	}
	if s.header != "h1,h2" || strings.Join(s.rows, "|") != "a,b|c,d" {
		t.Errorf("header %q, rows %q", s.header, s.rows)
	}
	if len(s.reject) != 1 || !strings.HasPrefix(s.reject[0], "6:line longer than") {
		t.Errorf("rejections %q, want line 6 too long", s.reject)
	}
}

func TestHeadedStructureErrors(t *testing.T) {
	for _, tt := range []struct {
		name, body, reason string
		line               int64
	}{
		{"empty", "\n\n", "no recognisable header: the file has no lines", 0},
		{"unrecognised", "\nfoo,bar\n", "not mine", 2},
		{"long header", strings.Repeat("h", MaxLen+1), "no recognisable header: line longer than", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			reason := ""
			if tt.name == "unrecognised" {
				reason = "not mine"
			}
			err := s.headed(reason).Run(context.Background(), NewReader(strings.NewReader(tt.body)))
			var se *extract.StructureError
			if !errors.As(err, &se) || se.Line != tt.line || !strings.HasPrefix(se.Reason, tt.reason) {
				t.Fatalf("err %v, want a structure error at line %d: %s", err, tt.line, tt.reason)
			}
			if len(s.rows) != 0 {
				t.Errorf("rows %q after a structure error", s.rows)
			}
		})
	}
}

func TestHeadedStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var s seen
	err := s.headed("").Run(ctx, NewReader(strings.NewReader("h\na\n")))
	if !errors.Is(err, context.Canceled) || len(s.rows) != 0 {
		t.Fatalf("err %v, rows %q; want cancelled before any row", err, s.rows)
	}
}
