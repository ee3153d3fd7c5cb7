// Package d0018 extracts D0018 "Daily Profile Coefficient" flows (Elexon's
// supplier volume allocation agent, via the DTC; domain.md §1.5) into two
// raw tables: the Basic Period Profile Coefficients (BPP) of each GSP
// group, profile class and profile, and the Period Profile Coefficients
// (PPC) of each Standard Settlement Configuration and Time Pattern Regime.
//
// A flow is pipe-delimited text, records nested by position:
//
//	ZHV|file id|D0018001|...|            header (optional: files the seed system reformatted have none)
//	ZPD|yyyymmdd|settlement code|run type|run number|
//	GSP|GSP group|noon temperature actual|noon temperature effective|time of sunset|sunset variable|
//	PCL|profile class|
//	PFL|profile|
//	BPP|c1|...|c50|                      one row of BasicTable
//	SSC|standard settlement configuration|
//	VMR|time pattern regime|
//	PPC|c1|prsi1|...|c50|prsi50|         one row of PeriodTable
//	ZPT|file id|record count|...|        trailer (required after a ZHV)
//
// Each record's context is the latest record of each enclosing kind, so a
// file may hold any number of settlement days. A day has 46, 48 or 50
// settlement periods (UK clock changes): a BPP carries at least that many
// slots and at most 50, a PPC twice that many fields (a coefficient and a
// Period Register Status Indicator, 0 or 1, per period); the day's slots
// must hold non-negative numbers, slots beyond it must be empty or zero,
// and absent slots land as NULL.
//
// Tolerated as real senders deliver: a trailing "|" or none (the 2017
// files), CRLF or LF, a UTF-8 BOM, blank lines, spaces around fields.
//
// A record that cannot be parsed is an extract.Rejection and the file goes
// on: a bad date or number, a wrong field count, a GSP group outside _A.._P,
// a profile class outside 1..8, a slot count that does not fit the day, an
// unknown record type, a line over lines.MaxLen bytes. Records beneath a
// rejected record are rejected too (their context is unknown), so nothing
// is dropped silently.
//
// A broken structure is an *extract.StructureError and nothing of the
// file is kept: a first record other than ZHV or ZPD; a ZHV of another
// flow; a second ZHV; a record with no enclosing record before it (a GSP
// before any ZPD, a PPC before any VMR, ...); a ZHV without a ZPT, a ZPT
// without a ZHV, or a ZPT whose file id or record count disagrees; content
// after the ZPT.
package d0018

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/extractors/internal/num"
	"github.com/cdw-dev/cdw/internal/extract"
)

// The raw tables this extractor writes.
const (
	BasicTable  = "d0018_basic_period_profile_coefficients"
	PeriodTable = "d0018_period_profile_coefficients"
)

// Slots is the number of half-hour slots of a BPP or PPC record.
const Slots = 50

// Column positions shared by both tables: the record's line and the
// ZHV, ZPD, GSP, PCL and PFL context.
const (
	colLoadID = iota
	colFileName
	colLineNo
	colFlowFileID
	colSettlementDate
	colSettlementCode
	colRunType
	colRunNumber
	colGSP
	colNoonActual
	colNoonEffective
	colSunsetTime
	colSunsetVariable
	colProfileClass
	colProfile
	numContext
)

// Column positions specific to each table.
const (
	colBPPPeriods = numContext     // BasicTable: period_count
	colBPPFirst   = numContext + 1 // BasicTable: bpp_01 .. bpp_50

	colSSC        = numContext     // PeriodTable: ssc_id
	colTPR        = numContext + 1 // PeriodTable: tpr_id
	colPPCPeriods = numContext + 2 // PeriodTable: period_count
	colPPCFirst   = numContext + 3 // PeriodTable: ppc_01, prsi_01, ..., ppc_50, prsi_50
)

// Extractor is the D0018 FileExtractor. It holds no state; one value may
// serve concurrent ExtractFile calls.
type Extractor struct{}

// New returns the D0018 extractor.
func New() *Extractor { return &Extractor{} }

var _ extract.FileExtractor = (*Extractor)(nil)

// Name implements extract.Extractor: "d0018".
func (*Extractor) Name() string { return "d0018" }

// Streams implements extract.Extractor: BasicTable, then PeriodTable.
// Settlement dates are Timestamps at midnight.
func (*Extractor) Streams() []extract.Stream { return []extract.Stream{basicStream(), periodStream()} }

func contextColumns() []extract.Column {
	return []extract.Column{
		{Name: "load_id", Type: extract.Text},
		{Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64},
		{Name: "flow_file_id", Type: extract.Text},
		{Name: "settlement_date", Type: extract.Timestamp},
		{Name: "settlement_code", Type: extract.Text},
		{Name: "run_type", Type: extract.Text},
		{Name: "run_number", Type: extract.Int64},
		{Name: "gsp_group_id", Type: extract.Text},
		{Name: "noon_temperature_actual", Type: extract.Float64},
		{Name: "noon_temperature_effective", Type: extract.Float64},
		{Name: "sunset_time", Type: extract.Text},
		{Name: "sunset_variable", Type: extract.Float64},
		{Name: "profile_class_id", Type: extract.Int64},
		{Name: "profile_id", Type: extract.Int64},
	}
}

func basicStream() extract.Stream {
	cols := append(contextColumns(), extract.Column{Name: "period_count", Type: extract.Int64})
	for i := 1; i <= Slots; i++ {
		cols = append(cols, extract.Column{Name: fmt.Sprintf("bpp_%02d", i), Type: extract.Float64})
	}
	return extract.Stream{Table: BasicTable, Columns: cols}
}

func periodStream() extract.Stream {
	cols := append(contextColumns(),
		extract.Column{Name: "ssc_id", Type: extract.Text},
		extract.Column{Name: "tpr_id", Type: extract.Text},
		extract.Column{Name: "period_count", Type: extract.Int64})
	for i := 1; i <= Slots; i++ {
		cols = append(cols,
			extract.Column{Name: fmt.Sprintf("ppc_%02d", i), Type: extract.Float64},
			extract.Column{Name: fmt.Sprintf("prsi_%02d", i), Type: extract.Int64})
	}
	return extract.Stream{Table: PeriodTable, Columns: cols}
}

// Match implements extract.FileExtractor. Any file name matches (.flw,
// .usr, .txt, ...) whose head starts, after an optional BOM, with a ZHV
// naming a D0018 flow version ("D0018" and three digits) or, for files
// without a header, with "ZPD|" and an eight-digit date.
func (*Extractor) Match(_ string, head []byte) bool {
	head = lines.TrimBOM(head)
	switch {
	case bytes.HasPrefix(head, []byte("ZHV|")):
		rest := head[len("ZHV|"):]
		i := bytes.IndexAny(rest, "|\r\n")
		if i < 0 || rest[i] != '|' {
			return false
		}
		rest = rest[i+1:]
		if len(rest) < 8 || !bytes.HasPrefix(rest, []byte("D0018")) || !num.AllDigits(rest[5:8]) {
			return false
		}
		return len(rest) == 8 || rest[8] == '|' || rest[8] == '\r' || rest[8] == '\n'
	case bytes.HasPrefix(head, []byte("ZPD|")):
		rest := head[len("ZPD|"):]
		return len(rest) >= 9 && num.AllDigits(rest[:8]) && rest[8] == '|'
	}
	return false
}

// ExtractFile implements extract.FileExtractor. It streams f.Body line by
// line, emits one row per valid BPP or PPC record and one rejection per
// bad record, and returns a *extract.StructureError if the flow's
// structure is broken (rows already emitted must then be discarded by the
// caller, as the contract says). Sink errors are returned unchanged; read
// errors are wrapped; ctx is checked every few thousand lines.
func (*Extractor) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	return newParser(f, sink).run(ctx)
}
