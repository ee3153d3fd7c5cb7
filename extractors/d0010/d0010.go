// Package d0010 extracts MRA DTC D0010 "Meter Readings" flows into
// raw.d0010_readings, one row per 030 register reading.
//
// A flow is pipe-delimited text: a ZHV header, groups of a 026 (MPAN core
// J0003, validation status J0022), one or more 028 (meter serial J0004,
// reading type J0171) each followed by one or more 030 (register J0010,
// reading date-time J0016, reading J0040, MD reset date-time J0044, MD reset
// count J0045, reading flag J0046, reading method J1888), and a ZPT trailer
// (file id, record count, checksum, flow count, completion time).
//
// Tolerated as delivered by real senders: a trailing "|" or none, CRLF or
// LF, a UTF-8 BOM, blank lines (not counted as records), whitespace around
// fields (trimmed; inner spaces of serials are kept).
//
// A record that cannot be parsed is an extract.Rejection and the file goes
// on: a bad date-time or number, a wrong field count, an empty mandatory
// field, an MPAN core that is not 13 digits, an unknown record type, a line
// over lines.MaxLen bytes. The records beneath a rejected 026 or 028 are
// rejected too (their parent is unknown), so nothing is dropped silently.
// An MPAN core whose check digit is wrong is not rejected: its rows carry
// mpan_check_ok = false.
//
// A broken structure is an *extract.StructureError and nothing of the file
// is kept: a missing, garbled or non-D0010 ZHV; a second ZHV; an 028 without
// a 026 before it; a 030 without an 028; a 026 or 028 with no readings under
// it (a truncated group); a missing ZPT; a ZPT whose file id or record count
// (all non-blank records between ZHV and ZPT) disagrees; content after ZPT.
package d0010

import (
	"bytes"
	"context"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Table is the raw table this extractor writes.
const Table = "d0010_readings"

// Column positions in a row of Table, in the migration's order.
const (
	colLoadID = iota
	colFileName
	colLineNo
	colFlowFileID
	colFlowCreatedAt
	colMPANCore
	colMPANCheckOK
	colValidationStatus
	colMeterSerial
	colReadingType
	colRegisterID
	colReadAt
	colReadingValue
	colMDResetAt
	colMDResetCount
	colReadingFlag
	colReadingMethod
	numCols
)

// Extractor is the D0010 FileExtractor. It holds no state; one value may
// serve concurrent ExtractFile calls.
type Extractor struct{}

// New returns the D0010 extractor.
func New() *Extractor { return &Extractor{} }

var _ extract.FileExtractor = (*Extractor)(nil)

// Name implements extract.Extractor: "d0010".
func (*Extractor) Name() string { return "d0010" }

// Streams implements extract.Extractor: the columns of raw.d0010_readings.
// Timestamps are UK wall-clock times without zone (time.Time in UTC).
func (*Extractor) Streams() []extract.Stream { return []extract.Stream{stream()} }

// stream is the shape of raw.d0010_readings, in column order.
func stream() extract.Stream {
	return extract.Stream{Table: Table, Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text},
		{Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64},
		{Name: "flow_file_id", Type: extract.Text},
		{Name: "flow_created_at", Type: extract.Timestamp},
		{Name: "mpan_core", Type: extract.Text},
		{Name: "mpan_check_ok", Type: extract.Bool},
		{Name: "validation_status", Type: extract.Text},
		{Name: "meter_serial", Type: extract.Text},
		{Name: "reading_type", Type: extract.Text},
		{Name: "register_id", Type: extract.Text},
		{Name: "read_at", Type: extract.Timestamp},
		{Name: "reading_value", Type: extract.Float64},
		{Name: "md_reset_at", Type: extract.Timestamp},
		{Name: "md_reset_count", Type: extract.Int64},
		{Name: "reading_flag", Type: extract.Text},
		{Name: "reading_method", Type: extract.Text},
	}}
}

// Match implements extract.FileExtractor. Any file name matches (.uff,
// .usr, .txt, ...) whose head starts, after an optional UTF-8 BOM, with
// "ZHV|", a file id and a D0010 flow version ("D0010" and three digits).
func (*Extractor) Match(_ string, head []byte) bool {
	head = lines.TrimBOM(head)
	if !bytes.HasPrefix(head, []byte("ZHV|")) {
		return false
	}
	rest := head[len("ZHV|"):]
	i := bytes.IndexAny(rest, "|\r\n")
	if i < 0 || rest[i] != '|' {
		return false
	}
	rest = rest[i+1:]
	if len(rest) < 8 || !bytes.HasPrefix(rest, []byte("D0010")) || !num.AllDigits(rest[5:8]) {
		return false
	}
	return len(rest) == 8 || rest[8] == '|' || rest[8] == '\r' || rest[8] == '\n'
}

// ExtractFile implements extract.FileExtractor. It streams f.Body line by
// line, emits one row per valid 030 to Table and one rejection per bad
// record, and returns a *extract.StructureError if the flow's structure is
// broken (rows already emitted must then be discarded by the caller, as the
// contract says). Sink errors are returned unchanged; read errors are
// wrapped; ctx is checked every few thousand lines.
func (*Extractor) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	p := newParser(f, sink)
	return p.run(ctx)
}
