// Package halfhourly extracts half-hourly consumption CSV files (the shape
// of an Octopus Energy dashboard export) into raw.halfhourly_consumption,
// one row per interval.
//
// The first non-blank line is the header. Column names are matched
// case-insensitively, ignoring everything but letters and digits, in any
// order: a consumption column ("Consumption (kWh)", "consumption", "kWh"),
// a start column ("Start", "Interval Start", "Start Time", ...), an end
// column, and optionally an MPxN column ("MPAN", "MPRN", "MPxN") and a
// serial column ("Serial", "Meter Serial", ...). Other columns are ignored.
// Fields may be wrapped in double quotes and padded with spaces; lines end
// in LF or CRLF; a UTF-8 BOM is dropped; blank lines are skipped.
//
// Timestamps are ISO-8601 instants with a UTC offset
// ("2023-10-29T01:30:00+01:00", "...Z", "+0100"; "T" or a space between date
// and time; seconds and a fraction optional). They are emitted in UTC, so
// clock-change days keep 46 or 50 intervals.
//
// mpxn comes from the MPxN column when it has a value, else from the file
// name (see MPxNFromName), else it is NULL. meter_serial is the serial
// column's value, or NULL.
//
// A row is an extract.Rejection, and the file goes on, when it has the
// wrong number of columns, an unparseable number or timestamp (including
// one without a UTC offset), an end not after its start, or an interval
// other than 30 minutes. The only structure error is a file without a
// recognisable header.
package halfhourly

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Table is the raw table this extractor writes.
const Table = "halfhourly_consumption"

// Column positions in a row of Table, in the migration's order.
const (
	colLoadID = iota
	colFileName
	colLineNo
	colMPxN
	colMeterSerial
	colIntervalStart
	colIntervalEnd
	colKWh
	numCols
)

// Extractor is the half-hourly CSV FileExtractor. It holds no state; one
// value may serve concurrent ExtractFile calls.
type Extractor struct{}

// New returns the half-hourly consumption extractor.
func New() *Extractor { return &Extractor{} }

var _ extract.FileExtractor = (*Extractor)(nil)

// Name implements extract.Extractor: "halfhourly".
func (*Extractor) Name() string { return "halfhourly" }

// Streams implements extract.Extractor: the columns of
// raw.halfhourly_consumption. Interval bounds are instants (UTC time.Time).
func (*Extractor) Streams() []extract.Stream { return []extract.Stream{stream()} }

// stream is the shape of raw.halfhourly_consumption, in column order.
func stream() extract.Stream {
	return extract.Stream{Table: Table, Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text},
		{Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64},
		{Name: "mpxn", Type: extract.Text},
		{Name: "meter_serial", Type: extract.Text},
		{Name: "interval_start", Type: extract.TimestampTZ},
		{Name: "interval_end", Type: extract.TimestampTZ},
		{Name: "kwh", Type: extract.Float64},
	}}
}

// Match implements extract.FileExtractor: a ".csv" file (any case) whose
// first line, after an optional BOM, is a header with consumption, start
// and end columns.
func (*Extractor) Match(name string, head []byte) bool {
	if !strings.EqualFold(filepath.Ext(name), ".csv") {
		return false
	}
	_, err := parseHeader(lines.FirstLine(head), nil)
	return err == ""
}

// ExtractFile implements extract.FileExtractor. It streams f.Body line by
// line and emits one row per valid interval and one rejection per bad row.
// It returns a *extract.StructureError when no header is recognisable
// (nothing is emitted then). Sink errors are returned unchanged; read errors
// are wrapped; ctx is checked every few thousand lines.
func (*Extractor) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	return newParser(f, sink).run(ctx)
}
