// Package alp extracts Xoserve's Annual Load Profiles and Daily Adjustment
// Factors (domain.md §1.6, §5.5) into raw.alp_daf, one row per LDZ,
// end-user category (EUC) and gas day.
//
// The input is a CSV with a header; column names are matched
// case-insensitively on letters and digits only, in any order, unknown
// columns ignored:
//
//   - where: "RegionProfile" (or "Region Profile", "EUC Code"), an LDZ and
//     an EUC in one field ("EA:E2301B", "EA_E2301B", "EAE2301B"), or
//     "LDZ" and "EUC" (or "End User Category") columns;
//   - when: "Date" (or "Gas Day", "Applicable For"), d/m/yyyy or yyyy-mm-dd;
//   - "ALP" (or "Annual Load Profile", or the seed system's misleading
//     "ForecastDocumentation") and "DAF" (or "Daily Adjustment Factor", or
//     the seed system's "Variance").
//
// So both the seed system's CSVs (RegionProfile,Date,ForecastDocumentation,
// Variance) and plainly named files load. Fields may be quoted and padded;
// lines end in LF or CRLF; a BOM and blank lines are skipped.
//
// A row is an extract.Rejection, and the file goes on, when it has the
// wrong number of columns, broken quoting, an LDZ that is not one of the 13
// (EA, EM, NE, NO, NT, NW, SC, SE, SO, SW, WM, WN, WS), an empty EUC, a bad
// date, an ALP that is not a non-negative number, or a DAF that is not a
// number. The only structure error is a file without a recognisable header.
package alp

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Table is the raw table this extractor writes.
const Table = "alp_daf"

// LDZs are the 13 local distribution zones.
var LDZs = []string{"EA", "EM", "NE", "NO", "NT", "NW", "SC", "SE", "SO", "SW", "WM", "WN", "WS"}

// Column positions in a row of Table, in the migration's order.
const (
	colLoadID = iota
	colFileName
	colLineNo
	colRegionProfile
	colLDZ
	colEUC
	colGasDay
	colALP
	colDAF
	numCols
)

// Extractor is the ALP/DAF FileExtractor. It holds no state; one value may
// serve concurrent ExtractFile calls.
type Extractor struct{}

// New returns the ALP/DAF extractor.
func New() *Extractor { return &Extractor{} }

var _ extract.FileExtractor = (*Extractor)(nil)

// Name implements extract.Extractor: "alp".
func (*Extractor) Name() string { return "alp" }

// Streams implements extract.Extractor: the columns of raw.alp_daf. Gas
// days are Timestamps at midnight.
func (*Extractor) Streams() []extract.Stream { return []extract.Stream{stream()} }

func stream() extract.Stream {
	return extract.Stream{Table: Table, Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text},
		{Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64},
		{Name: "region_profile", Type: extract.Text},
		{Name: "ldz", Type: extract.Text},
		{Name: "end_user_category", Type: extract.Text},
		{Name: "gas_day", Type: extract.Timestamp},
		{Name: "alp", Type: extract.Float64},
		{Name: "daf", Type: extract.Float64},
	}}
}

// Match implements extract.FileExtractor: a ".csv" file (any case) whose
// first line is a header this extractor recognises.
func (*Extractor) Match(name string, head []byte) bool {
	if !strings.EqualFold(filepath.Ext(name), ".csv") {
		return false
	}
	_, reason := parseHeader(lines.FirstLine(head))
	return reason == ""
}

// ExtractFile implements extract.FileExtractor. It streams f.Body line by
// line and emits one row per good record and one rejection per bad one. It
// returns a *extract.StructureError when the first non-blank line is not a
// header (nothing is emitted then). Sink errors are returned unchanged;
// read errors are wrapped; ctx is checked every few thousand lines.
func (*Extractor) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	return newParser(f, sink).run(ctx)
}
