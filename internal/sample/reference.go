package sample

import (
	"math"
	"time"
)

// Reference data: a small, clearly labelled synthetic set. Every file name
// says SYNTHETIC. The real D0018 profile coefficients are licensed by
// Elexon, and National Grid's and Xoserve's publications are not ours to
// redistribute either, so the demo's EAC and AQ run on invented numbers
// with the real files' layouts:
//
//   - D0018 profile coefficients (extractor d0018), one flow per month
//     from ProfileFrom to ProfileTo (a whole year, so every GSP group's
//     and profile class's BPPs sum to 1 over it): GSP groups _A.._P;
//     profile class 1 with SSC 0393 and profile class 2 with SSC 0151, each
//     with the time pattern regimes the billing simulator gives its
//     registers (00001 all day, 00043 day and 00210 night). The BPPs follow
//     a winter-heavy year and a daily shape; a day or night PPC is the BPP
//     in its periods (night: local time before 07:00), zero outside,
//     divided by the year's share of consumption in those periods, so
//     that each register's PPCs sum to 1 over the year too.
//     TPR 00001 has no PPC lines: its coefficients come from the BPP
//     fallback (domain.md §5.2), which the models must then exercise. On
//     the 1st of each month a second run (R1, run 2) restates the day with
//     coefficients 2% higher at noon, so "the latest run wins" is
//     exercised. A month packs its settlement days into one flow; each day
//     has its 46, 48 or 50 periods.
//   - National Grid data items (extractor nationalgrid), one Data Item
//     Explorer export per calendar year from GasFrom to GasTo: the daily
//     CV (about 39–40 MJ/m³) and allocated WCF of all 13 LDZs; plus two
//     files in the seed system's MIPI layout whose one row the legacy
//     extract doubled (text written twice, value twice the truth), which
//     land halved.
//   - Xoserve ALP and DAF (extractor alp), one file per gas year from
//     GasFrom to ALPTo in the seed system's layout
//     (RegionProfile,Date,ForecastDocumentation,Variance), for two
//     end-user categories per LDZ: band 01B (domestic, the one the AQ
//     uses; its ALPs sum to the days of the gas year) and band 02B.
//
// Planted defects (each in Summary.Anomalies): one BPP with a letter in a
// slot and one PPC with a register status of 2 (D0018), a CV of "n/a" and
// a CV of 78.8 with no doubled text (nationalgrid), an unknown LDZ
// (alp): all quarantined. The two legacy files are KindDoubled anomalies.
var (
	ProfileFrom = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)
	ProfileTo   = time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	GasFrom     = time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC)
	GasTo       = time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	ALPTo       = time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC)
)

// Extractor names of the reference data, as the extractors report them.
const (
	ExtractorNationalGrid = "nationalgrid"
	ExtractorD0018        = "d0018"
	ExtractorALP          = "alp"
)

// KindDoubled marks a row in the seed system's layout whose value the
// legacy extract doubled: it is landed halved, not rejected.
const KindDoubled = "doubled"

// GSPGroups are the 14 GSP group ids, LDZs the 13 local distribution zones.
var (
	GSPGroups = []string{"_A", "_B", "_C", "_D", "_E", "_F", "_G", "_H", "_J", "_K", "_L", "_M", "_N", "_P"}
	LDZs      = []string{"EA", "EM", "NE", "NO", "NT", "NW", "SC", "SE", "SO", "SW", "WM", "WN", "WS"}
)

// referenceFiles writes the reference data. It draws from its own random
// stream, so the D0010 and half-hourly files are the same with or without
// it.
func (g *generator) referenceFiles() []*file {
	ref := &refGen{g: g, r: newRNG(g.opts.Seed ^ 0x5eed_00d0_0018)}
	var files []*file
	files = append(files, ref.profileFiles()...)
	files = append(files, ref.gasFiles()...)
	files = append(files, ref.alpFiles()...)
	return files
}

// refGen is the state of the reference-data generator.
type refGen struct {
	g *generator
	r *rng
}

func (r *refGen) note(kind, file string, line int64, detail string) {
	r.g.anomalies = append(r.g.anomalies, Anomaly{Kind: kind, File: file, Line: line, Detail: detail})
}

// unit is a uniform number in [0, 1).
func (r *rng) unit() float64 { return float64(r.next()>>11) / (1 << 53) }

// normal is a standard normal number (Box–Muller).
func (r *rng) normal() float64 {
	u := r.unit()
	if u == 0 {
		u = 1e-12
	}
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.unit())
}

// days lists the dates from..to inclusive.
func days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// winter is a seasonal weight, 1+a at mid-January and 1-a at mid-July.
func winter(d time.Time, a float64) float64 {
	return 1 + a*math.Cos(2*math.Pi*float64(d.YearDay()-15)/365.25)
}
