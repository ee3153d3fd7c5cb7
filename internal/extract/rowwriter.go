package extract

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// TypedSink is a Sink that also takes rows as typed values, without boxing
// them into []any: the fast path for large streams. The Runner's sinks
// implement it; Row keeps working for every stream, and an extractor may
// use both (rows keep their order).
type TypedSink interface {
	Sink
	// Writer returns the RowWriter of stream, or false when the sink has
	// no typed path for it (the caller then uses Row). It returns the same
	// writer for every call with the same stream.
	Writer(stream string) (*RowWriter, bool)
}

// NewRowWriter returns a RowWriter for stream s of sink: the sink's own
// typed writer when it is a TypedSink that offers one, otherwise a writer
// that boxes each committed row and passes it to sink.Row (repeated values
// reuse their boxes, so this costs few allocations). Either way the
// extractor has one code path.
func NewRowWriter(sink Sink, s Stream) *RowWriter {
	if ts, ok := sink.(TypedSink); ok {
		if w, ok := ts.Writer(s.Table); ok {
			return w
		}
	}
	w := newRowWriter(s)
	vals := make([]any, len(s.Columns))
	boxes := newBoxer(w.kinds)
	w.emit = func(w *RowWriter) error {
		boxes.box(vals, w.null, w.bits, w.text)
		return sink.Row(s.Table, vals)
	}
	return w
}

// RowWriter builds the rows of one stream from typed values. Each setter
// stores one column of the current row; a column keeps its value across
// rows until it is set again, so per-file and per-group values are set
// once. Commit emits the row. Text values are copied, so the caller may
// reuse its buffers at once. Columns start NULL.
//
// The setter must match the column's Type: Text or String for Text, Int64,
// Float64, Bool, and Time for Timestamp and TimestampTZ (a Timestamp keeps
// the UTC wall clock of the value, so build it with time.Date(..., UTC);
// a TimestampTZ keeps the instant; both are kept to the microsecond, as
// PostgreSQL and DuckDB store them). A mismatch is a programming error
// reported by the next Commit; a column index out of range panics.
//
// A RowWriter is not safe for concurrent use: it belongs to the
// ExtractFile call that obtained it.
type RowWriter struct {
	stream string
	kinds  []Type
	null   []bool
	bits   []uint64 // int64, float64 bits, bool 0/1, or UTC unix microseconds
	text   [][]byte // per-column buffers, owned by the writer
	err    error
	emit   func(*RowWriter) error
}

func newRowWriter(s Stream) *RowWriter {
	w := &RowWriter{
		stream: s.Table,
		kinds:  make([]Type, len(s.Columns)),
		null:   make([]bool, len(s.Columns)),
		bits:   make([]uint64, len(s.Columns)),
		text:   make([][]byte, len(s.Columns)),
	}
	for i, c := range s.Columns {
		w.kinds[i] = c.Type
		w.null[i] = true
	}
	return w
}

// Null sets column col to NULL.
func (w *RowWriter) Null(col int) { w.null[col] = true }

// Text sets Text column col to a copy of v.
func (w *RowWriter) Text(col int, v []byte) {
	if w.check(col, Text) {
		w.null[col] = false
		w.text[col] = append(w.text[col][:0], v...)
	}
}

// String sets Text column col to v.
func (w *RowWriter) String(col int, v string) {
	if w.check(col, Text) {
		w.null[col] = false
		w.text[col] = append(w.text[col][:0], v...)
	}
}

// Int64 sets Int64 column col.
func (w *RowWriter) Int64(col int, v int64) {
	if w.check(col, Int64) {
		w.null[col] = false
		w.bits[col] = uint64(v)
	}
}

// Float64 sets Float64 column col.
func (w *RowWriter) Float64(col int, v float64) {
	if w.check(col, Float64) {
		w.null[col] = false
		w.bits[col] = math.Float64bits(v)
	}
}

// Bool sets Bool column col.
func (w *RowWriter) Bool(col int, v bool) {
	if w.check(col, Bool) {
		w.null[col] = false
		w.bits[col] = 0
		if v {
			w.bits[col] = 1
		}
	}
}

// Time sets Timestamp or TimestampTZ column col, to the microsecond.
func (w *RowWriter) Time(col int, v time.Time) {
	if w.kinds[col] != Timestamp && w.kinds[col] != TimestampTZ {
		w.mismatch(col, "Time")
		return
	}
	w.null[col] = false
	w.bits[col] = uint64(v.UnixMicro())
}

// Commit emits the current row. It returns the first setter mismatch since
// the last Commit, or the sink's error unchanged (which the extractor must
// return).
func (w *RowWriter) Commit() error {
	if w.err != nil {
		err := w.err
		w.err = nil
		return err
	}
	return w.emit(w)
}

func (w *RowWriter) check(col int, want Type) bool {
	if w.kinds[col] != want {
		w.mismatch(col, want.String())
		return false
	}
	return true
}

func (w *RowWriter) mismatch(col int, setter string) {
	if w.err == nil {
		w.err = fmt.Errorf("stream %s: column %d is %s, set with %s", w.stream, col, w.kinds[col], setter)
	}
}

// String names the type as in Go code ("Text", "TimestampTZ").
func (t Type) String() string {
	switch t {
	case Text:
		return "Text"
	case Int64:
		return "Int64"
	case Float64:
		return "Float64"
	case Bool:
		return "Bool"
	case Timestamp:
		return "Timestamp"
	case TimestampTZ:
		return "TimestampTZ"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// kind is the name a typed row source reports for the type to warehouse
// adapters (see pipe.ColumnKinds): "text", "int64", "float64", "bool", or
// "time" for both timestamp types (UTC unix microseconds).
func (t Type) kind() string {
	switch t {
	case Timestamp, TimestampTZ:
		return "time"
	case Text, Int64, Float64, Bool:
		return strings.ToLower(t.String())
	}
	return ""
}
