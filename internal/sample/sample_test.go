package sample_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/mpan"
	"github.com/cdw-dev/cdw/internal/sample"
)

func generate(t *testing.T, opts sample.Options) (string, sample.Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := sample.Generate(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestSameSeedGivesByteIdenticalFiles(t *testing.T) {
	dirA, sumA := generate(t, sample.Options{Seed: 7})
	dirB, sumB := generate(t, sample.Options{Seed: 7})
	if !reflect.DeepEqual(sumA, sumB) {
		t.Error("summaries differ for the same seed")
	}
	entries, err := os.ReadDir(dirA)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(sumA.Files) {
		t.Fatalf("%d files in the directory, summary lists %d", len(entries), len(sumA.Files))
	}
	for _, e := range entries {
		a, errA := os.ReadFile(filepath.Join(dirA, e.Name()))
		b, errB := os.ReadFile(filepath.Join(dirB, e.Name()))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", e.Name())
		}
	}

	dirC, _ := generate(t, sample.Options{Seed: 8})
	differs := 0
	for _, e := range entries {
		a, _ := os.ReadFile(filepath.Join(dirA, e.Name()))
		c, _ := os.ReadFile(filepath.Join(dirC, e.Name()))
		if !bytes.Equal(a, c) {
			differs++
		}
	}
	if differs == 0 {
		t.Error("seed 8 wrote the same files as seed 7")
	}
}

// extracted is the outcome of running the project's extractors over one file.
type extracted struct {
	extractor string
	sink      *extracttest.Sink
}

// extractAll picks each file's extractor by Match (as the runner will) and
// runs it.
func extractAll(t *testing.T, dir string, sum sample.Summary) map[string]extracted {
	t.Helper()
	out := map[string]extracted{}
	for _, fs := range sum.Files {
		b, err := os.ReadFile(filepath.Join(dir, fs.Name))
		if err != nil {
			t.Fatal(err)
		}
		var chosen []extract.FileExtractor
		for _, x := range extractors.All() {
			if fx, ok := x.(extract.FileExtractor); ok && fx.Match(fs.Name, b[:min(len(b), 512)]) {
				chosen = append(chosen, fx)
			}
		}
		if len(chosen) != 1 {
			t.Fatalf("%s matched by %d extractors, want 1", fs.Name, len(chosen))
		}
		x := chosen[0]
		sink := extracttest.NewSink(x.Streams())
		f := extract.File{Name: fs.Name, Path: filepath.Join(dir, fs.Name), LoadID: "L-" + fs.Name, Body: bytes.NewReader(b)}
		if err := x.ExtractFile(context.Background(), f, sink); err != nil {
			t.Fatalf("%s: %v", fs.Name, err)
		}
		out[fs.Name] = extracted{x.Name(), sink}
	}
	return out
}

func TestRoundTripThroughTheExtractors(t *testing.T) {
	dir, sum := generate(t, sample.Options{Seed: 1})
	got := extractAll(t, dir, sum)

	totals := map[string][2]int{}
	for _, fs := range sum.Files {
		e := got[fs.Name]
		if e.extractor != fs.Extractor {
			t.Errorf("%s: taken by %s, summary says %s", fs.Name, e.extractor, fs.Extractor)
		}
		rows := 0
		for _, rs := range e.sink.Rows {
			rows += len(rs)
		}
		if rows != fs.Rows || len(e.sink.Rejections) != fs.Rejections {
			t.Errorf("%s: %d rows, %d rejections; summary says %d, %d (%+v)", fs.Name, rows, len(e.sink.Rejections), fs.Rows, fs.Rejections, e.sink.Rejections)
		}
		tot := totals[fs.Extractor]
		totals[fs.Extractor] = [2]int{tot[0] + rows, tot[1] + len(e.sink.Rejections)}
	}
	if totals["d0010"] != [2]int{sum.D0010Rows, sum.D0010Rejections} || totals["halfhourly"] != [2]int{sum.HalfHourlyRows, sum.HalfHourlyRejections} {
		t.Errorf("totals %v, summary %+v", totals, sum)
	}

	// The defaults promised in the package documentation.
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"files", len(sum.Files), 3 + 2*4 + 27},
		{"MPANs", len(sum.MPANs), 40},
		{"half-hourly MPANs", len(sum.HalfHourlyMPANs), 4},
		{"D0010 rejections", sum.D0010Rejections, 4},
		{"half-hourly rejections", sum.HalfHourlyRejections, 4},
		{"duplicate reads", sum.DuplicateReads, 4},
		{"rollovers", sum.Rollovers, 1},
		{"negative readings", sum.NegativeReadings, 1},
		{"implausible readings", sum.ImplausibleReadings, 1},
		{"gap intervals", sum.GapIntervals, 6},
		{"half-hourly days", sum.HalfHourlyDays, 40},
		{"half-hourly rows", sum.HalfHourlyRows, 4*(4*48+46+4*48+50) - 6},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
		}
	}
	for _, c := range sum.MPANs {
		if !mpan.Valid(c) {
			t.Errorf("invented MPAN %s has a bad check digit", c)
		}
	}
	checkD0010(t, sum, got)
	checkHalfHourly(t, sum, got)
}

// reading identifies a D0010 read the way readings_valid does.
type reading struct {
	mpan, serial, register string
	at                     time.Time
	value                  float64
}

func serialKey(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

func checkD0010(t *testing.T, sum sample.Summary, got map[string]extracted) {
	t.Helper()
	rowAt := map[string]map[int64]map[string]any{} // file → line → row
	seen := map[reading]int{}
	registers := map[[2]string]bool{}
	var all []map[string]any
	for name, e := range got {
		if e.extractor != "d0010" {
			continue
		}
		rowAt[name] = map[int64]map[string]any{}
		for i := range e.sink.Rows[d0010.Table] {
			r := e.sink.Record(d0010.Table, i)
			rowAt[name][r["line_no"].(int64)] = r
			all = append(all, r)
			seen[reading{r["mpan_core"].(string), serialKey(r["meter_serial"].(string)), r["register_id"].(string), r["read_at"].(time.Time), r["reading_value"].(float64)}]++
			registers[[2]string{r["mpan_core"].(string), r["register_id"].(string)}] = true
			if r["mpan_check_ok"] != true {
				t.Errorf("%s line %v: mpan_check_ok false", name, r["line_no"])
			}
		}
	}
	if len(seen) != sum.DistinctReadings {
		t.Errorf("%d distinct readings, summary says %d", len(seen), sum.DistinctReadings)
	}
	if len(registers) != sum.Registers {
		t.Errorf("%d registers, summary says %d", len(registers), sum.Registers)
	}
	spaced := 0
	for _, r := range all {
		if strings.Contains(r["meter_serial"].(string), " ") {
			spaced++
		}
	}
	if spaced == 0 {
		t.Error("no serial with an internal space")
	}
	for _, a := range sum.Anomalies {
		if !strings.HasSuffix(a.File, ".uff") {
			continue
		}
		if a.Kind == sample.KindRejection {
			found := false
			for _, rj := range got[a.File].sink.Rejections {
				found = found || rj.Line == a.Line
			}
			if !found {
				t.Errorf("%s line %d (%s) was not rejected", a.File, a.Line, a.Detail)
			}
			continue
		}
		r, ok := rowAt[a.File][a.Line]
		if !ok || r["mpan_core"] != a.MPxN {
			t.Errorf("%s: no row for MPAN %s at line %d", a.Kind, a.MPxN, a.Line)
			continue
		}
		v := r["reading_value"].(float64)
		key := reading{a.MPxN, serialKey(r["meter_serial"].(string)), r["register_id"].(string), r["read_at"].(time.Time), v}
		switch a.Kind {
		case sample.KindDuplicate:
			if seen[key] < 2 {
				t.Errorf("duplicate at %s line %d is delivered only once", a.File, a.Line)
			}
		case sample.KindNegative:
			if v >= 0 {
				t.Errorf("negative anomaly has value %v", v)
			}
		case sample.KindImplausible:
			if v <= 99999999 {
				t.Errorf("implausible anomaly has value %v", v)
			}
		case sample.KindRollover:
			prev := -1.0
			for _, o := range all {
				if o["mpan_core"] == a.MPxN && o["register_id"] == r["register_id"] && o["read_at"].(time.Time).Before(r["read_at"].(time.Time)) {
					prev = max(prev, o["reading_value"].(float64))
				}
			}
			if !(v < 1000 && prev > 99000) {
				t.Errorf("rollover row value %v after %v", v, prev)
			}
		}
	}
}

func checkHalfHourly(t *testing.T, sum sample.Summary, got map[string]extracted) {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	type day struct{ mpxn, date string }
	periods := map[day]int{}
	for name, e := range got {
		if e.extractor != "halfhourly" {
			continue
		}
		for i := range e.sink.Rows[halfhourly.Table] {
			r := e.sink.Record(halfhourly.Table, i)
			m, _ := r["mpxn"].(string)
			if !strings.Contains(name, m) || m == "" {
				t.Errorf("%s: row mpxn %q is not the file's MPAN", name, m)
			}
			periods[day{m, r["interval_start"].(time.Time).In(london).Format("2006-01-02")}]++
		}
	}
	if len(periods) != sum.HalfHourlyDays {
		t.Errorf("%d (MPxN, day) pairs, summary says %d", len(periods), sum.HalfHourlyDays)
	}
	gaps := map[string]bool{}
	for _, a := range sum.Anomalies {
		if a.Kind == sample.KindGap {
			gaps[a.MPxN] = true
		}
	}
	for _, m := range sum.HalfHourlyMPANs {
		for _, tc := range []struct {
			date string
			want int
		}{
			{"2023-03-24", 48}, {"2023-03-25", 48}, {"2023-03-26", 46}, {"2023-03-27", 48}, {"2023-03-28", 48},
			{"2023-10-27", 48}, {"2023-10-28", 48}, {"2023-10-29", 50}, {"2023-10-30", 48}, {"2023-10-31", 48},
		} {
			want := tc.want
			if gaps[m] && tc.date == "2023-10-31" {
				want -= sum.GapIntervals
			}
			if n := periods[day{m, tc.date}]; n != want {
				t.Errorf("%s on %s: %d periods, want %d", m, tc.date, n, want)
			}
		}
	}
	if len(gaps) != 1 {
		t.Errorf("%d MPANs with a gap, want 1", len(gaps))
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, o := range []sample.Options{{MPANs: 11}, {MPANs: 1001}, {HalfHourlyMPANs: 3}, {MPANs: 12, HalfHourlyMPANs: 13}} {
		if _, err := sample.Generate(context.Background(), t.TempDir(), o); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", o)
		}
	}
}

func TestLargerSampleStillRoundTrips(t *testing.T) {
	dir, sum := generate(t, sample.Options{Seed: 99, MPANs: 120, HalfHourlyMPANs: 9})
	got := extractAll(t, dir, sum)
	for _, fs := range sum.Files {
		rows := 0
		for _, rs := range got[fs.Name].sink.Rows {
			rows += len(rs)
		}
		if rows != fs.Rows || len(got[fs.Name].sink.Rejections) != fs.Rejections {
			t.Errorf("%s: %d rows, %d rejections; summary says %d, %d", fs.Name, rows, len(got[fs.Name].sink.Rejections), fs.Rows, fs.Rejections)
		}
	}
	if len(sum.MPANs) != 120 || len(sum.HalfHourlyMPANs) != 9 || len(sum.Files) != 3+2*9+27 {
		t.Errorf("summary %+v", sum)
	}
	checkD0010(t, sum, got)
	checkHalfHourly(t, sum, got)
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sample.Generate(ctx, t.TempDir(), sample.Options{}); err == nil {
		t.Error("Generate with a cancelled context succeeded")
	}
}
