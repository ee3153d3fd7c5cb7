// Package extracttest provides an in-memory extract.Sink for testing file
// extractors without a database.
package extracttest

import (
	"fmt"
	"slices"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
)

// Sink records every row and rejection in memory. Like every sink it copies
// each row before returning, so extractors may reuse their slices. Rows
// whose stream is unknown, whose length differs from the stream's columns
// or whose values do not have the column's Go type (nil is always allowed)
// make Row return an error. Not safe for concurrent use.
type Sink struct {
	streams    map[string]extract.Stream
	Rows       map[string][][]any // by stream table, in emission order
	Rejections []extract.Rejection
	// FailAfter, when positive, makes the call after that many Row calls
	// return ErrInjected, to test that extractors pass sink errors through.
	FailAfter int
	calls     int
}

// ErrInjected is the error a Sink returns once FailAfter rows were taken.
var ErrInjected = fmt.Errorf("extracttest: injected sink failure")

// NewSink returns a Sink accepting rows for the given streams.
func NewSink(streams []extract.Stream) *Sink {
	s := &Sink{streams: map[string]extract.Stream{}, Rows: map[string][][]any{}}
	for _, st := range streams {
		s.streams[st.Table] = st
	}
	return s
}

// Row implements extract.Sink.
func (s *Sink) Row(stream string, values []any) error {
	s.calls++
	if s.FailAfter > 0 && s.calls > s.FailAfter {
		return ErrInjected
	}
	st, ok := s.streams[stream]
	if !ok {
		return fmt.Errorf("extracttest: unknown stream %q", stream)
	}
	if len(values) != len(st.Columns) {
		return fmt.Errorf("extracttest: %s row has %d values, want %d", stream, len(values), len(st.Columns))
	}
	for i, c := range st.Columns {
		if err := checkType(c, values[i]); err != nil {
			return fmt.Errorf("extracttest: %s: %w", stream, err)
		}
	}
	s.Rows[stream] = append(s.Rows[stream], slices.Clone(values))
	return nil
}

// Reject implements extract.Sink.
func (s *Sink) Reject(r extract.Rejection) error {
	s.Rejections = append(s.Rejections, r)
	return nil
}

// Column returns one named column of every row of a stream.
func (s *Sink) Column(stream, name string) []any {
	idx := slices.IndexFunc(s.streams[stream].Columns, func(c extract.Column) bool { return c.Name == name })
	if idx < 0 {
		panic(fmt.Sprintf("extracttest: stream %q has no column %q", stream, name))
	}
	out := make([]any, 0, len(s.Rows[stream]))
	for _, r := range s.Rows[stream] {
		out = append(out, r[idx])
	}
	return out
}

// Record returns row i of a stream as a column-name → value map.
func (s *Sink) Record(stream string, i int) map[string]any {
	m := map[string]any{}
	for j, c := range s.streams[stream].Columns {
		m[c.Name] = s.Rows[stream][i][j]
	}
	return m
}

func checkType(c extract.Column, v any) error {
	if v == nil {
		return nil
	}
	ok := false
	switch c.Type {
	case extract.Text:
		_, ok = v.(string)
	case extract.Int64:
		_, ok = v.(int64)
	case extract.Float64:
		_, ok = v.(float64)
	case extract.Bool:
		_, ok = v.(bool)
	case extract.Timestamp, extract.TimestampTZ:
		_, ok = v.(time.Time)
	}
	if !ok {
		return fmt.Errorf("column %s: value %v has Go type %T, not the one for logical type %d", c.Name, v, v, c.Type)
	}
	return nil
}
