package sample_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/alp"
	"github.com/cdw-dev/cdw/extractors/d0018"
	"github.com/cdw-dev/cdw/extractors/nationalgrid"
	"github.com/cdw-dev/cdw/internal/sample"
)

// The reference data lands through the real extractors with exactly the
// planted defects quarantined, and has the properties the EAC and AQ
// models rely on.
func TestReferenceData(t *testing.T) {
	dir, sum := generate(t, sample.Options{Seed: 1})
	got := extractAll(t, dir, sum)

	ref := 0
	for _, f := range sum.Files {
		switch f.Extractor {
		case sample.ExtractorD0018, sample.ExtractorNationalGrid, sample.ExtractorALP:
			ref++
			if !strings.Contains(f.Name, "SYNTHETIC") {
				t.Errorf("%s is synthetic but its name does not say so", f.Name)
			}
		}
	}
	if ref != 27 {
		t.Errorf("%d reference files, want 12 D0018 + 9 National Grid + 6 ALP/DAF", ref)
	}
	if sum.ReferenceRejections != 5 {
		t.Errorf("%d reference rejections, want 5", sum.ReferenceRejections)
	}
	for _, a := range sum.Anomalies {
		if a.Kind != sample.KindRejection || strings.HasSuffix(a.File, ".uff") || strings.HasPrefix(a.File, "hh_") {
			continue
		}
		found := false
		for _, rj := range got[a.File].sink.Rejections {
			found = found || rj.Line == a.Line
		}
		if !found {
			t.Errorf("%s line %d (%s) was not rejected", a.File, a.Line, a.Detail)
		}
	}

	t.Run("profile coefficients", func(t *testing.T) { checkProfiles(t, got) })
	t.Run("calorific values", func(t *testing.T) { checkGas(t, sum, got) })
	t.Run("ALP", func(t *testing.T) { checkALP(t, got) })
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func checkProfiles(t *testing.T, got map[string]extracted) {
	type key struct {
		gsp, tpr string // tpr "" for a BPP
		class    int64
		day      time.Time
	}
	type run struct {
		n   int64
		sum float64
	}
	latest := map[key]run{} // the latest run of each day's BPP or PPC
	periods := map[time.Time]int64{}
	masked := 0
	add := func(k key, n int64, s float64) {
		if n > latest[k].n {
			latest[k] = run{n, s}
		}
	}
	for _, e := range got {
		if e.extractor != "d0018" {
			continue
		}
		for i := range e.sink.Rows[d0018.BasicTable] {
			r := e.sink.Record(d0018.BasicTable, i)
			s := 0.0
			for j := 1; j <= 50; j++ {
				if v, ok := r[slot("bpp", j)].(float64); ok {
					s += v
				}
			}
			d := r["settlement_date"].(time.Time)
			add(key{r["gsp_group_id"].(string), "", r["profile_class_id"].(int64), d}, r["run_number"].(int64), s)
			periods[d] = r["period_count"].(int64)
		}
		for i := range e.sink.Rows[d0018.PeriodTable] {
			r := e.sink.Record(d0018.PeriodTable, i)
			s := 0.0
			for j := 1; j <= int(r["period_count"].(int64)); j++ {
				v, on := r[slot("ppc", j)].(float64), r[slot("prsi", j)].(int64)
				// A register's coefficient is above 0 exactly in its periods.
				if (v > 0) != (on == 1) {
					t.Fatalf("PPC %v slot %d: coefficient %v with register status %d", r["line_no"], j, v, on)
				}
				masked++
				s += v
			}
			add(key{r["gsp_group_id"].(string), r["tpr_id"].(string), r["profile_class_id"].(int64), r["settlement_date"].(time.Time)}, r["run_number"].(int64), s)
		}
	}
	if periods[date(2023, 10, 29)] != 50 || periods[date(2024, 3, 31)] != 46 || periods[date(2023, 10, 28)] != 48 {
		t.Errorf("periods on the clock-change days: %d, %d", periods[date(2023, 10, 29)], periods[date(2024, 3, 31)])
	}
	if masked == 0 {
		t.Fatal("no PPC slot checked")
	}
	year := map[[3]any]float64{}
	for k, r := range latest {
		year[[3]any{k.gsp, k.tpr, k.class}] += r.sum
	}
	if len(year) != 14*2*3 {
		t.Errorf("%d (GSP group, TPR or BPP, profile class) series, want 14 × 2 × 3", len(year))
	}
	for k, s := range year {
		// A year of a register's (or a profile's) coefficients sums to 1;
		// the restated runs add 2% of the noon hour on twelve days, and
		// the two rejected records take a day's share (about 0.3%) off
		// their series.
		if s < 0.995 || s > 1.002 {
			t.Errorf("%v: the year's coefficients sum to %.6f, want about 1", k, s)
		}
	}
}

func slot(prefix string, i int) string {
	return prefix + "_" + string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func checkGas(t *testing.T, sum sample.Summary, got map[string]extracted) {
	type key struct {
		item, area string
		day        time.Time
	}
	die := map[key]float64{}
	var legacy []map[string]any
	for name, e := range got {
		if e.extractor != "nationalgrid" {
			continue
		}
		for i := range e.sink.Rows[nationalgrid.Table] {
			r := e.sink.Record(nationalgrid.Table, i)
			if strings.HasPrefix(name, "mipi_legacy") {
				legacy = append(legacy, r)
				continue
			}
			die[key{r["item"].(string), r["area"].(string), r["applicable_for"].(time.Time)}] = r["value"].(float64)
			if r["item"] == nationalgrid.ItemCV && (r["value"].(float64) < 38 || r["value"].(float64) > 41) {
				t.Errorf("CV %v", r)
			}
		}
	}
	// 13 LDZs × 2 items × the days, less the two rejected CVs.
	if want := 13*2*int(sample.GasTo.Sub(sample.GasFrom).Hours()/24+1) - 2; len(die) != want {
		t.Errorf("%d CV/WCF values, want %d", len(die), want)
	}
	if len(legacy) != 2 {
		t.Fatalf("%d legacy rows, want 2", len(legacy))
	}
	for _, r := range legacy {
		k := key{r["item"].(string), r["area"].(string), r["applicable_for"].(time.Time)}
		if r["doubled_at_source"] != true || r["value"].(float64) != die[k] || r["value_as_delivered"].(float64) != 2*die[k] {
			t.Errorf("legacy row %v does not land as the true value %v", r, die[k])
		}
	}
	doubled := 0
	for _, a := range sum.Anomalies {
		if a.Kind == sample.KindDoubled {
			doubled++
		}
	}
	if doubled != 2 {
		t.Errorf("%d doubled anomalies, want 2", doubled)
	}
}

func checkALP(t *testing.T, got map[string]extracted) {
	type key struct{ ldz, euc string }
	year := map[key]float64{}
	days := map[key]int{}
	for _, e := range got {
		if e.extractor != "alp" {
			continue
		}
		for i := range e.sink.Rows[alp.Table] {
			r := e.sink.Record(alp.Table, i)
			k := key{r["ldz"].(string), r["end_user_category"].(string)}
			year[k] += r["alp"].(float64)
			days[k]++
			if d := r["daf"].(float64); d >= 0 || d < -0.1 {
				t.Errorf("DAF %v", r)
			}
		}
	}
	if len(year) != 13*2*6 {
		t.Errorf("%d (LDZ, EUC) pairs, want 13 × 2 bands × 6 gas years", len(year))
	}
	for k, s := range year {
		if math.Abs(s-float64(days[k])) > 1e-3*float64(days[k]) {
			t.Errorf("%v: ALPs sum to %.3f over %d days", k, s, days[k])
		}
	}
}
