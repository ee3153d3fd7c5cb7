package extract_test

import (
	"bufio"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// tkv is kv with a typed stream of every column type: after the header
// "TKV", a line "k=v" is written through a RowWriter and "row:k=v" through
// Sink.Row, so both paths (and switching between them) reach the same
// table. v may be "null". Other columns derive from the line number n:
// f = n/4, ok = n is even, at = 2023-01-01 00:00 + n minutes (a wall
// clock), inst = the same clock read in UTC+01:00 (an instant), note = "é"
// repeated n%5 times (empty is NULL).
type tkv struct{}

func (tkv) Name() string { return "tkv" }
func (tkv) Streams() []extract.Stream {
	return []extract.Stream{{Table: "tkv_rows", Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text}, {Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64}, {Name: "k", Type: extract.Text}, {Name: "v", Type: extract.Int64},
		{Name: "f", Type: extract.Float64}, {Name: "ok", Type: extract.Bool},
		{Name: "read_at", Type: extract.Timestamp}, {Name: "inst", Type: extract.TimestampTZ}, {Name: "note", Type: extract.Text},
	}}}
}
func (tkv) Match(_ string, head []byte) bool { return strings.HasPrefix(string(head), "TKV\n") }

func tkvClock(n int64) time.Time {
	return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
}
func tkvNote(n int64) string { return strings.Repeat("é", int(n%5)) }

func (x tkv) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	w := extract.NewRowWriter(sink, x.Streams()[0])
	w.String(0, f.LoadID)
	w.String(1, f.Name)
	sc := bufio.NewScanner(f.Body)
	var n int64
	for sc.Scan() {
		n++
		text := sc.Text()
		if n == 1 {
			continue
		}
		if text == "END" {
			return nil
		}
		boxed := strings.HasPrefix(text, "row:")
		k, v, _ := strings.Cut(strings.TrimPrefix(text, "row:"), "=")
		var val any
		if v != "null" {
			i, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return err
			}
			val = i
		}
		wall := tkvClock(n)
		inst := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, time.FixedZone("+01:00", 3600))
		var note any
		if s := tkvNote(n); s != "" {
			note = s
		}
		if boxed {
			if err := sink.Row("tkv_rows", []any{f.LoadID, f.Name, n, k, val, float64(n) / 4, n%2 == 0, wall, inst, note}); err != nil {
				return err
			}
			continue
		}
		w.Int64(2, n)
		w.String(3, k)
		if val == nil {
			w.Null(4)
		} else {
			w.Int64(4, val.(int64))
		}
		w.Float64(5, float64(n)/4)
		w.Bool(6, n%2 == 0)
		w.Time(7, wall)
		w.Time(8, inst)
		if note == nil {
			w.Null(9)
		} else {
			w.String(9, note.(string))
		}
		if err := w.Commit(); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return &extract.StructureError{Line: n, Reason: "no END: truncated file"}
}

// setupTyped is setup with the tkv extractor and its table.
func setupTyped(t *testing.T, a warehouse.Adapter) *extract.Runner {
	t.Helper()
	setup(t, a) // migrations and the kv table
	if err := a.Exec(context.Background(), `create table raw.tkv_rows (load_id text, file_name text, line_no bigint, k text,
		v bigint, f double precision, ok boolean, read_at timestamp, inst timestamptz, note varchar(20))`); err != nil {
		t.Fatal(err)
	}
	r, err := extract.NewRunner(a, "raw", []extract.Extractor{tkv{}}, extract.WithLoadIDs(func() string { return "typed-load" }))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTypedRowsLandExactlyOnEveryEngine(t *testing.T) {
	const lines = 5000 // a few pipe batches; the path switches every 700 lines
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			a := e.open(t)
			r := setupTyped(t, a)
			var b strings.Builder
			b.WriteString("TKV\n")
			var sum int64
			for i := 2; i <= lines+1; i++ {
				if (i/700)%2 == 1 {
					b.WriteString("row:")
				}
				if i%97 == 0 {
					fmt.Fprintf(&b, "k%d=null\n", i)
					continue
				}
				fmt.Fprintf(&b, "k%d=%d\n", i, i*1000003)
				sum += int64(i) * 1000003
			}
			b.WriteString("END\n")
			p := write(t, t.TempDir(), "typed.tkv", b.String())
			res := runDir(t, r, p)
			if res[0].Status != extract.StatusLoaded || res[0].Rows != lines {
				t.Fatalf("result %+v, want %d rows loaded", res[0], lines)
			}
			if got := count(t, a, "select cast(sum(v) as bigint) from raw.tkv_rows"); got != sum {
				t.Fatalf("sum(v) = %d, want %d", got, sum)
			}
			if got := count(t, a, "select count(*) from raw.tkv_rows where v is null"); got != int64(lines/97) {
				t.Fatalf("%d NULL v, want %d", got, lines/97)
			}
			// Every column of rows from both paths, on both sides of a switch.
			for _, n := range []int64{2, 3, 699, 700, 701, 1399, 1400, 2 * 97, lines + 1} {
				res, err := a.Query(context.Background(), "select load_id, file_name, k, v, f, ok, read_at, inst, note from raw.tkv_rows where line_no = $1", -1, n)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Rows) != 1 {
					t.Fatalf("line %d: %d rows", n, len(res.Rows))
				}
				var v any = n * 1000003
				if n%97 == 0 {
					v = nil
				}
				var note any
				if s := tkvNote(n); s != "" {
					note = s
				}
				wall := tkvClock(n)
				want := []any{"typed-load", "typed.tkv", fmt.Sprintf("k%d", n), v, float64(n) / 4, n%2 == 0, wall, wall.Add(-time.Hour), note}
				if !reflect.DeepEqual(res.Rows[0], want) {
					t.Errorf("line %d:\n got %v\nwant %v", n, res.Rows[0], want)
				}
			}
		})
	}
}

func TestTypedRowsOfABrokenFileAreNotKept(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			a := e.open(t)
			r := setupTyped(t, a)
			var b strings.Builder
			b.WriteString("TKV\n")
			for i := range 6000 { // the break comes after batches were sent
				fmt.Fprintf(&b, "k%d=%d\n", i, i)
			}
			res := runDir(t, r, write(t, t.TempDir(), "cut.tkv", b.String()))
			if res[0].Status != extract.StatusFailed || !extract.IsStructureError(res[0].Err) {
				t.Fatalf("result %+v, want a structure failure", res[0])
			}
			for _, tbl := range []string{"raw.tkv_rows", "raw.file_registry"} {
				if n := count(t, a, "select count(*) from "+tbl); n != 0 {
					t.Fatalf("%s has %d rows after a broken file", tbl, n)
				}
			}
		})
	}
}
