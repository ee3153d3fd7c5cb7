// Package extract lands source data in the warehouse's raw schema.
//
// Extractors never see a database: they parse their input and emit rows and
// rejections to a Sink. The Runner owns everything else — finding files, the
// file registry that makes loads idempotent, streaming rows into the
// adapter's bulk-load path, quarantining rejected records and committing
// each file's rows, rejections and registry entry in one transaction.
package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Type is the logical type of a raw column. Migrations create the real
// tables; the Runner checks their columns against the stream before loading.
type Type int

const (
	Text        Type = iota // Go string
	Int64                   // Go int64
	Float64                 // Go float64
	Bool                    // Go bool
	Timestamp               // Go time.Time, wall clock without zone (stored as timestamp)
	TimestampTZ             // Go time.Time, an instant (stored as timestamptz)
)

// Column of a stream.
type Column struct {
	Name string
	Type Type
}

// Stream is one raw table an extractor writes.
type Stream struct {
	// Table is the raw table name (in the raw schema), e.g. "d0010_readings".
	Table   string
	Columns []Column
}

// File is one input file handed to a FileExtractor.
type File struct {
	// Name is the file's base name; Path its path as given by the user.
	Name, Path string
	// LoadID identifies this load; every row emitted should carry it.
	LoadID string
	// Body streams the file's bytes. Extractors must not buffer it whole.
	Body io.Reader
}

// Rejection is a record that could not be parsed. It is quarantined in
// raw.rejected_records; it never stops the rest of the file from loading.
type Rejection struct {
	Line   int64  // 1-based line number in the file
	Raw    string // the raw text of the record
	Reason string
}

// Sink receives an extractor's output. Row copies values before returning,
// so the caller may reuse the slice. Values must match the stream's column
// types (nil for NULL). Errors returned by the sink must be returned by the
// extractor unchanged.
type Sink interface {
	Row(stream string, values []any) error
	Reject(r Rejection) error
}

// Extractor is the common part of every extractor.
type Extractor interface {
	// Name is what users type: `cdw extract NAME`.
	Name() string
	// Streams lists the raw tables this extractor writes.
	Streams() []Stream
}

// FileExtractor lands files (from a folder, or later S3).
type FileExtractor interface {
	Extractor
	// Match reports whether the file (by base name and its first bytes) is
	// this extractor's input. It must be cheap and must not read beyond head.
	Match(name string, head []byte) bool
	// ExtractFile parses f and emits rows and rejections. A *StructureError
	// means the file as a whole is unusable (missing header, truncated
	// group, bad trailer): nothing from it is kept.
	ExtractFile(ctx context.Context, f File, sink Sink) error
}

// StructureError reports that a file's structure is broken, so none of it
// can be trusted.
type StructureError struct {
	Line   int64
	Reason string
}

func (e *StructureError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

// IsStructureError reports whether err is or wraps a *StructureError.
func IsStructureError(err error) bool {
	var se *StructureError
	return errors.As(err, &se)
}
