// Package nationalgrid extracts National Grid gas data items — the daily
// calorific value (CV) and allocated weather correction factor (WCF) of
// each LDZ — into raw.nationalgrid_data_items, one row per data item and
// gas day.
//
// Two CSV layouts are read, told apart by their header (column names
// matched case-insensitively on letters and digits only, in any order,
// unknown columns ignored):
//
//   - the Data Item Explorer export: "Applicable At", "Applicable For",
//     "Data Item", "Value", and optionally "Generated Time" and "Quality
//     Indicator". Dates are d/m/yyyy with or without a leading zero
//     ("1/07/2014", "01/07/2014 10:30:23");
//   - the files the seed system's MIPI extract wrote (domain.md §1.6):
//     "name", "applicable_at", "applicable_for", "value" (ISO dates).
//
// Data item names: "Calorific Value, LDZ(EA)" and "Calorific Value,
// Campbeltown" are CVs, "Weather Correction Factor, Allocated (EA)" (also
// "...Allocated, LDZ(EA)") are WCFs; any other item is landed with a NULL
// item. Fields may be quoted (commas inside quotes do not split) and padded;
// lines end in LF or CRLF; a BOM and blank lines are skipped.
//
// Doubled values (domain.md §1.6, §8.5 item 1). The seed system's extract
// added each one-row frame to itself (`df += df`), which doubled the value
// and wrote every text field twice over ("Calorific Value, LDZ(EA)Calorific
// Value, LDZ(EA)"). A row whose data item is some name written twice is
// such a row: its dates must then be doubled too, and it lands with the
// name and dates un-doubled, value = value_as_delivered / 2 and
// doubled_at_source = true. Nothing downstream halves anything. A CV is
// also checked against the physically possible range (PlausibleCV): a
// doubled CV without that evidence (78.6 MJ/m³) is rejected, never halved
// on a guess. A doubled WCF without doubled text cannot be told from a
// real one (WCFs are signed and unbounded); such files must not be loaded.
//
// A row is an extract.Rejection, and the file goes on, when it has the
// wrong number of columns, broken quoting, an unparseable date or number,
// an empty data item, a CV outside PlausibleCV, or a row half-doubled
// (name doubled but not its dates, or the other way round). The only
// structure error is a file without a recognisable header.
package nationalgrid

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/cdw-dev/cdw/extractors/internal/lines"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Table is the raw table this extractor writes.
const Table = "nationalgrid_data_items"

// Item kinds, as landed in the item column.
const (
	ItemCV  = "calorific_value"
	ItemWCF = "weather_correction_factor"
)

// PlausibleCV is the range of calorific values (MJ/m³) a GB gas network
// can carry: the Gas Safety (Management) Regulations' Wobbe limits keep a
// natural-gas CV near 37–43; anything outside 30–50 is a unit or
// extraction error.
var PlausibleCV = [2]float64{30, 50}

// Column positions in a row of Table, in the migration's order.
const (
	colLoadID = iota
	colFileName
	colLineNo
	colDataItem
	colItem
	colArea
	colApplicableFor
	colApplicableAt
	colGeneratedAt
	colQualityIndicator
	colValue
	colValueAsDelivered
	colDoubled
	numCols
)

// Extractor is the National Grid data item FileExtractor. It holds no
// state; one value may serve concurrent ExtractFile calls.
type Extractor struct{}

// New returns the National Grid extractor.
func New() *Extractor { return &Extractor{} }

var _ extract.FileExtractor = (*Extractor)(nil)

// Name implements extract.Extractor: "nationalgrid".
func (*Extractor) Name() string { return "nationalgrid" }

// Streams implements extract.Extractor: the columns of
// raw.nationalgrid_data_items. Dates are wall-clock Timestamps (the gas
// day at midnight).
func (*Extractor) Streams() []extract.Stream { return []extract.Stream{stream()} }

func stream() extract.Stream {
	return extract.Stream{Table: Table, Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text},
		{Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64},
		{Name: "data_item", Type: extract.Text},
		{Name: "item", Type: extract.Text},
		{Name: "area", Type: extract.Text},
		{Name: "applicable_for", Type: extract.Timestamp},
		{Name: "applicable_at", Type: extract.Timestamp},
		{Name: "generated_at", Type: extract.Timestamp},
		{Name: "quality_indicator", Type: extract.Text},
		{Name: "value", Type: extract.Float64},
		{Name: "value_as_delivered", Type: extract.Float64},
		{Name: "doubled_at_source", Type: extract.Bool},
	}}
}

// Match implements extract.FileExtractor: a ".csv" file (any case) whose
// first line is one of the two headers.
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
