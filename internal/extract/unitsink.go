package extract

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// opKind is what one buffered operation of a unit does.
type opKind int

const (
	opRows opKind = iota
	opDelete
	opDeleteKeys
)

// op is one buffered operation. Consecutive rows of one stream share an op.
type op struct {
	kind   opKind
	stream string
	rows   [][]any // opRows
	where  []Cond  // opDelete, opDeleteKeys
	column string  // opDeleteKeys
	keys   []any   // opDeleteKeys
}

// unitBuffer is the UnitSink of one unit: it buffers everything in memory
// (a unit is small) until the runner commits it. Not safe for concurrent
// use; each unit has its own.
type unitBuffer struct {
	streams map[string]Stream
	ops     []op
	cursors map[string]string
	rejects []UnitRejection
}

func newUnitBuffer(streams []Stream) *unitBuffer {
	b := &unitBuffer{streams: map[string]Stream{}, cursors: map[string]string{}}
	for _, s := range streams {
		b.streams[s.Table] = s
	}
	return b
}

func (b *unitBuffer) stream(name string) (Stream, error) {
	s, ok := b.streams[name]
	if !ok {
		return Stream{}, fmt.Errorf("extractor used undeclared stream %q", name)
	}
	return s, nil
}

func (b *unitBuffer) Row(stream string, values []any) error {
	st, err := b.stream(stream)
	if err != nil {
		return err
	}
	if len(values) != len(st.Columns) {
		return fmt.Errorf("stream %s: row has %d values, want %d", stream, len(values), len(st.Columns))
	}
	for i, c := range st.Columns {
		if err := checkValue(c, values[i]); err != nil {
			return fmt.Errorf("stream %s: %w", stream, err)
		}
	}
	row := slices.Clone(values)
	if n := len(b.ops); n > 0 && b.ops[n-1].kind == opRows && b.ops[n-1].stream == stream {
		b.ops[n-1].rows = append(b.ops[n-1].rows, row)
	} else {
		b.ops = append(b.ops, op{kind: opRows, stream: stream, rows: [][]any{row}})
	}
	return nil
}

func (b *unitBuffer) checkWhere(st Stream, where []Cond) error {
	if len(where) == 0 {
		return fmt.Errorf("stream %s: a delete needs at least one condition", st.Table)
	}
	for _, c := range where {
		if !hasColumn(st, c.Column) {
			return fmt.Errorf("stream %s has no column %q", st.Table, c.Column)
		}
	}
	return nil
}

func (b *unitBuffer) Delete(stream string, where ...Cond) error {
	st, err := b.stream(stream)
	if err != nil {
		return err
	}
	if err := b.checkWhere(st, where); err != nil {
		return err
	}
	b.ops = append(b.ops, op{kind: opDelete, stream: stream, where: slices.Clone(where)})
	return nil
}

func (b *unitBuffer) DeleteKeys(stream string, where []Cond, column string, keys []any) error {
	st, err := b.stream(stream)
	if err != nil {
		return err
	}
	if err := b.checkWhere(st, where); err != nil {
		return err
	}
	if !hasColumn(st, column) {
		return fmt.Errorf("stream %s has no column %q", stream, column)
	}
	if len(keys) == 0 {
		return nil
	}
	b.ops = append(b.ops, op{kind: opDeleteKeys, stream: stream, where: slices.Clone(where), column: column, keys: slices.Clone(keys)})
	return nil
}

func (b *unitBuffer) SetCursor(entity, value string) error {
	if entity == "" {
		return errors.New("SetCursor: empty entity")
	}
	b.cursors[entity] = value
	return nil
}

func (b *unitBuffer) Reject(r UnitRejection) error {
	b.rejects = append(b.rejects, r)
	return nil
}

// empty reports whether the unit changes nothing in the warehouse.
func (b *unitBuffer) empty() bool {
	return len(b.ops) == 0 && len(b.cursors) == 0 && len(b.rejects) == 0
}

func hasColumn(s Stream, name string) bool {
	return slices.ContainsFunc(s.Columns, func(c Column) bool { return c.Name == name })
}

// checkValue verifies that v has the Go type of column c's logical type.
func checkValue(c Column, v any) error {
	if v == nil {
		return nil
	}
	ok := false
	switch c.Type {
	case Text:
		_, ok = v.(string)
	case Int64:
		_, ok = v.(int64)
	case Float64:
		_, ok = v.(float64)
	case Bool:
		_, ok = v.(bool)
	case Timestamp, TimestampTZ:
		_, ok = v.(time.Time)
	}
	if !ok {
		return fmt.Errorf("column %s: value of Go type %T does not fit its type", c.Name, v)
	}
	return nil
}
