// Package sample writes a deterministic, realistic set of input files for
// the demo and for model tests: D0010 flows and half-hourly consumption
// CSVs, with invented meter points (valid MPAN check digits), invented
// serials and a known set of planted defects.
//
// What Generate writes (defaults; every count is also in the Summary):
//
//   - 3 D0010 flows covering 2023 in four-month slices, one monthly read per
//     register for each MPAN. Register layouts cycle by MPAN index: S
//     (indices ending 0-4), 01/02 (5-6) and DY/NT (7-9). Serials are
//     invented; every third has an internal space. The first flow is LF with
//     trailing "|", the second LF without trailing "|" and with a blank
//     line, the third CRLF with a UTF-8 BOM.
//   - planted reading defects, each also listed in Summary.Anomalies with
//     its file and line: re-deliveries of a read already delivered (same
//     register, date and value; one written with the serial's space removed
//     and in lower case, one repeated within a file), a 5-dial register that
//     rolls over 99999 → 0xxxx, one negative and one implausibly large
//     (> 99,999,999) reading, and four malformed 030 records that the d0010
//     extractor rejects (bad date, non-numeric value, wrong field count).
//   - half-hourly CSVs for the first HalfHourlyMPANs MPANs, one file per
//     MPAN and season, named hh_<MPAN>_<yyyy-mm>.csv, covering UK local
//     dates 2023-03-24..28 and 2023-10-27..31, so the clock-change days
//     2023-03-26 (46 periods) and 2023-10-29 (50 periods) are inside. Most
//     are in the Octopus export shape; one MPAN's files have MPAN and Meter
//     Serial columns and UTC "Z" timestamps. One file leaves a gap of six
//     intervals; four files carry one malformed extra row each.
//   - reference data for the EAC and AQ models, synthetic and named so
//     (SYNTHETIC in every file name): D0018 profile coefficients, National
//     Grid CVs and WCFs, Xoserve ALPs and DAFs, with planted defects; see
//     reference.go.
//
// Generate never reads the clock or the environment; the same Options give
// byte-identical files.
package sample

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Options control Generate. Zero fields take the defaults.
type Options struct {
	// Seed drives every random choice (values, serials, MPANs).
	Seed int64
	// MPANs is the number of D0010 meter points (default 40, at least 12,
	// at most 1000).
	MPANs int
	// HalfHourlyMPANs is how many of those MPANs also get half-hourly
	// files (default 4, at least 4, at most MPANs).
	HalfHourlyMPANs int
}

// Extractor names, as the extractors report them.
const (
	ExtractorD0010      = "d0010"
	ExtractorHalfHourly = "halfhourly"
)

// Anomaly kinds.
const (
	KindDuplicate   = "duplicate"   // a read already delivered (register, date, value), delivered again
	KindRollover    = "rollover"    // the first read after a 5-dial register wrapped past 99999
	KindNegative    = "negative"    // a negative register value
	KindImplausible = "implausible" // a value above 99,999,999
	KindRejection   = "rejection"   // a malformed record the extractor must reject
	KindGap         = "gap"         // half-hourly intervals left out
)

// Anomaly is one planted defect.
type Anomaly struct {
	Kind string
	File string // base name of the file holding it
	Line int64  // its line in that file (for a gap: 0)
	MPxN string
	// Detail says what exactly, e.g. "register S read 2023-04-27 00:00
	// re-delivered" or "10:00-13:00 on 2023-10-31 missing".
	Detail string
}

// FileSummary is what one written file must give its extractor.
type FileSummary struct {
	Name       string // base name
	Extractor  string // ExtractorD0010, ExtractorHalfHourly or a reference-data extractor
	Rows       int    // rows the extractor must emit
	Rejections int    // rejections it must report
}

// Summary describes what Generate wrote.
type Summary struct {
	Files []FileSummary // in the order written; names are unique

	D0010Rows, D0010Rejections           int
	HalfHourlyRows, HalfHourlyRejections int
	// ReferenceRows and ReferenceRejections count the reference-data files
	// (extractors nationalgrid, d0018 and alp) together.
	ReferenceRows, ReferenceRejections int

	// MPANs are the D0010 meter points in generation order; HalfHourlyMPANs
	// the first few of them that also have half-hourly files.
	MPANs, HalfHourlyMPANs []string
	// Registers is the number of distinct (MPAN, register) pairs read
	// monthly. DistinctReadings is D0010Rows minus DuplicateReads.
	Registers, DistinctReadings int

	DuplicateReads, Rollovers, NegativeReadings, ImplausibleReadings int
	// DeemedReadings counts the reads delivered as deemed (reading type
	// D), which readings_valid keeps but judges not_actual.
	DeemedReadings int

	// HalfHourlyDays is the number of (MPxN, UK local date) pairs with
	// data; GapIntervals how many intervals the planted gap removed.
	HalfHourlyDays, GapIntervals int

	Anomalies []Anomaly
}

func (o Options) withDefaults() (Options, error) {
	if o.MPANs == 0 {
		o.MPANs = 40
	}
	if o.HalfHourlyMPANs == 0 {
		o.HalfHourlyMPANs = 4
	}
	if o.MPANs < 12 || o.MPANs > 1000 {
		return o, fmt.Errorf("sample: MPANs = %d, want 12..1000", o.MPANs)
	}
	if o.HalfHourlyMPANs < 4 || o.HalfHourlyMPANs > o.MPANs {
		return o, fmt.Errorf("sample: HalfHourlyMPANs = %d, want 4..%d", o.HalfHourlyMPANs, o.MPANs)
	}
	return o, nil
}

// Generate writes the sample files into dir (created if missing; files of
// the same names are overwritten, others left alone) and returns what it
// wrote. It checks ctx between files. Not safe to run twice concurrently on
// the same dir.
func Generate(ctx context.Context, dir string, opts Options) (Summary, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("sample: %w", err)
	}
	g, err := newGenerator(opts)
	if err != nil {
		return Summary{}, err
	}
	files := append(g.d0010Files(), g.halfHourlyFiles()...)
	files = append(files, g.referenceFiles()...)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return Summary{}, fmt.Errorf("sample: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.sum.Name), f.body.Bytes(), 0o644); err != nil {
			return Summary{}, fmt.Errorf("sample: %w", err)
		}
	}
	return g.summary(files), nil
}

// file is one generated file before it is written.
type file struct {
	sum  FileSummary
	body bytes.Buffer
}

func (g *generator) summary(files []*file) Summary {
	s := Summary{Anomalies: g.anomalies, Registers: g.registers, DeemedReadings: g.deemed}
	for _, m := range g.points {
		s.MPANs = append(s.MPANs, m.core)
	}
	s.HalfHourlyMPANs = s.MPANs[:g.opts.HalfHourlyMPANs]
	for _, f := range files {
		s.Files = append(s.Files, f.sum)
		switch f.sum.Extractor {
		case ExtractorD0010:
			s.D0010Rows += f.sum.Rows
			s.D0010Rejections += f.sum.Rejections
		case ExtractorHalfHourly:
			s.HalfHourlyRows += f.sum.Rows
			s.HalfHourlyRejections += f.sum.Rejections
		case ExtractorNationalGrid, ExtractorD0018, ExtractorALP:
			s.ReferenceRows += f.sum.Rows
			s.ReferenceRejections += f.sum.Rejections
		}
	}
	for _, a := range g.anomalies {
		switch a.Kind {
		case KindDuplicate:
			s.DuplicateReads++
		case KindRollover:
			s.Rollovers++
		case KindNegative:
			s.NegativeReadings++
		case KindImplausible:
			s.ImplausibleReadings++
		}
	}
	s.DistinctReadings = s.D0010Rows - s.DuplicateReads
	s.HalfHourlyDays = g.hhDays
	s.GapIntervals = g.gapIntervals
	return s
}
