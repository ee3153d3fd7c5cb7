package extract_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
)

// collectSink keeps copies of the rows it is given, as the Sink contract
// allows callers to reuse their slice.
type collectSink struct {
	rows [][]any
	err  error // returned by Row when set
}

func (s *collectSink) Row(_ string, v []any) error {
	if s.err != nil {
		return s.err
	}
	s.rows = append(s.rows, append([]any(nil), v...))
	return nil
}
func (s *collectSink) Reject(extract.Rejection) error { return nil }

// everyType has one column of each extract.Type.
func everyType() extract.Stream {
	return extract.Stream{Table: "t", Columns: []extract.Column{
		{Name: "s", Type: extract.Text}, {Name: "i", Type: extract.Int64}, {Name: "f", Type: extract.Float64},
		{Name: "b", Type: extract.Bool}, {Name: "ts", Type: extract.Timestamp}, {Name: "tz", Type: extract.TimestampTZ},
	}}
}

func TestRowWriterOverAPlainSinkBoxesEveryType(t *testing.T) {
	sink := &collectSink{}
	w := extract.NewRowWriter(sink, everyType())
	wall := time.Date(2023, 3, 26, 1, 30, 0, 123456789, time.UTC)
	instant := time.Date(2023, 10, 29, 1, 30, 0, 0, time.FixedZone("BST", 3600))
	buf := []byte("first")

	// Row 1: every column set.
	w.Text(0, buf)
	w.Int64(1, -42)
	w.Float64(2, 0.125)
	w.Bool(3, true)
	w.Time(4, wall)
	w.Time(5, instant)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX") // the writer copied the text
	// Row 2: columns keep their values until set again; Null clears one.
	w.Int64(1, 7)
	w.Null(2)
	w.Bool(3, false)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	// Row 3: String sets text; a value repeated from an earlier row.
	w.String(0, "second")
	w.Float64(2, 0.125)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}

	wallUS := time.Date(2023, 3, 26, 1, 30, 0, 123456000, time.UTC) // kept to the microsecond
	instantUTC := time.Date(2023, 10, 29, 0, 30, 0, 0, time.UTC)
	want := [][]any{
		{"first", int64(-42), 0.125, true, wallUS, instantUTC},
		{"first", int64(7), nil, false, wallUS, instantUTC},
		{"second", int64(7), 0.125, false, wallUS, instantUTC},
	}
	if !reflect.DeepEqual(sink.rows, want) {
		t.Fatalf("rows:\n got %v\nwant %v", sink.rows, want)
	}
}

func TestRowWriterColumnsStartNull(t *testing.T) {
	sink := &collectSink{}
	w := extract.NewRowWriter(sink, everyType())
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if want := []any{nil, nil, nil, nil, nil, nil}; !reflect.DeepEqual(sink.rows[0], want) {
		t.Fatalf("fresh row = %v, want all NULL", sink.rows[0])
	}
}

func TestRowWriterReportsAMismatchedSetterAtCommit(t *testing.T) {
	tests := []struct {
		name string
		set  func(w *extract.RowWriter)
		want string
	}{
		{"int into text", func(w *extract.RowWriter) { w.Int64(0, 1) }, "column 0 is Text, set with Int64"},
		{"text into int", func(w *extract.RowWriter) { w.String(1, "1") }, "column 1 is Int64, set with Text"},
		{"time into float", func(w *extract.RowWriter) { w.Time(2, time.Now()) }, "column 2 is Float64, set with Time"},
		{"bool into timestamp", func(w *extract.RowWriter) { w.Bool(4, true) }, "column 4 is Timestamp, set with Bool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := &collectSink{}
			w := extract.NewRowWriter(sink, everyType())
			tc.set(w)
			err := w.Commit()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Commit() = %v, want an error containing %q", err, tc.want)
			}
			if len(sink.rows) != 0 {
				t.Fatal("a row with a mismatched setter reached the sink")
			}
			// The error is reported once; the writer goes on.
			if err := w.Commit(); err != nil {
				t.Fatalf("second Commit() = %v", err)
			}
		})
	}
}

func TestRowWriterReturnsTheSinkErrorUnchanged(t *testing.T) {
	boom := errors.New("sink full")
	w := extract.NewRowWriter(&collectSink{err: boom}, everyType())
	if err := w.Commit(); err != boom {
		t.Fatalf("Commit() = %v, want the sink's error itself", err)
	}
}

// typedSink offers its own writer, which NewRowWriter must hand back.
type typedSink struct {
	collectSink
	w *extract.RowWriter
}

func (s *typedSink) Writer(stream string) (*extract.RowWriter, bool) {
	return s.w, stream == "t"
}

func TestNewRowWriterUsesTheTypedSinkWriter(t *testing.T) {
	own := extract.NewRowWriter(&collectSink{}, everyType())
	s := &typedSink{w: own}
	if got := extract.NewRowWriter(s, everyType()); got != own {
		t.Fatal("NewRowWriter did not return the TypedSink's writer")
	}
	other := extract.Stream{Table: "other", Columns: everyType().Columns}
	if got := extract.NewRowWriter(s, other); got == own {
		t.Fatal("a stream the TypedSink declines got its writer")
	}
}
