package pipeline_test

import (
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without the system's zoneinfo

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/testenv"
)

const (
	d0010File  = "DTC5259515123502080915D0010.uff"
	octopusCSV = "consumption_dst_excerpt.csv"
)

// TestRealDataPipeline lands the real D0010 flow and the real half-hourly
// export, builds the project, and checks the warehouse by query; then that
// re-extracting is a no-op, that a second build converges to identical
// contents, and that a late-arriving interval merges into its day without
// duplicating the (NULL mpxn, day) key.
func TestRealDataPipeline(t *testing.T) {
	d0010Dir := testenv.RealData(t, "kraken-d0010")
	octopusDir := testenv.RealData(t, "octopus-export")
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		w.migrateUp(t)
		res := w.extract(t, d0010Dir)
		for name, r := range w.extract(t, octopusDir) {
			res[name] = r
		}
		wantLoaded := map[string]int64{d0010File: 13, octopusCSV: 106}
		checkExtract(t, res, wantLoaded)

		checkRawD0010(t, w)
		p := w.loadProject(t)
		results := w.build(t, p)
		if r := results["test.accepted_values_daily_consumption_missing_periods__0"]; r.Status != run.StatusWarn {
			t.Errorf("missing_periods test: %s %s; the excerpt has partial days, so it must warn", r.Status, r.Message)
		}

		if n := w.count(t, `select count(*) from cdw.readings`); n != 13 {
			t.Errorf("readings: %d rows, want 13", n)
		}
		if n, want := w.count(t, `select count(*) from cdw.readings_valid where is_valid`), actualReads(t, filepath.Join(d0010Dir, d0010File)); want == 0 || n != want {
			t.Errorf("readings_valid: %d valid rows, want %d (the flow's actual reads are distinct and plausible; its deemed ones are not actual)", n, want)
		}
		octopus := filepath.Join(octopusDir, octopusCSV)
		days := dailyFromCSV(t, octopus)
		if d := days["2023-03-26"]; d.periods != 46 {
			t.Fatalf("the file itself: 2023-03-26 has %d intervals, want 46", d.periods)
		}
		if d := days["2023-10-29"]; d.periods != 50 {
			t.Fatalf("the file itself: 2023-10-29 has %d intervals, want 50", d.periods)
		}
		checkDaily(t, w, days)

		// Re-extracting the same folders loads nothing and changes nothing.
		before := w.checksums(t, p)
		again := w.extract(t, d0010Dir)
		for name, r := range w.extract(t, octopusDir) {
			again[name] = r
		}
		for name, r := range again {
			if r.Status != extract.StatusSkipped || r.Rows != 0 {
				t.Errorf("re-extract %s: %s, %d rows; want skipped, 0 rows", name, r.Status, r.Rows)
			}
		}
		if len(again) != 2 {
			t.Errorf("re-extract saw %d files, want 2", len(again))
		}
		// A second build (incremental for daily_consumption) converges.
		results = w.build(t, p)
		if msg := results["model.daily_consumption"].Message; !strings.HasPrefix(msg, "merged ") {
			t.Errorf("second build of daily_consumption: %q, want an incremental merge", msg)
		}
		after := w.checksums(t, p)
		for rel, sum := range before {
			if after[rel] != sum {
				t.Errorf("%s changed on the second extract + build: %s, then %s", rel, sum, after[rel])
			}
		}

		// A late file adds one interval to the last (partial) day, which is
		// inside the lookback window; mpxn is NULL as in the export.
		late := filepath.Join(t.TempDir(), "late_delivery.csv")
		body := "Consumption (kWh), Start, End\r\n0.06100000000000000000, 2024-08-04T01:00:00+01:00, 2024-08-04T01:30:00+01:00\r\n"
		if err := os.WriteFile(late, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		checkExtract(t, w.extract(t, filepath.Dir(late)), map[string]int64{"late_delivery.csv": 1})
		results = w.build(t, p)
		if msg := results["model.daily_consumption"].Message; !strings.HasPrefix(msg, "merged ") {
			t.Errorf("build after the late file: daily_consumption %q, want an incremental merge", msg)
		}
		lateDays := dailyFromCSV(t, octopus, late)
		if lateDays["2024-08-04"].periods != days["2024-08-04"].periods+1 {
			t.Fatalf("the late file should add one interval to 2024-08-04: %d then %d", days["2024-08-04"].periods, lateDays["2024-08-04"].periods)
		}
		checkDaily(t, w, lateDays)
		if n := w.count(t, `select count(*) from (select mpxn, local_date from cdw.daily_consumption group by mpxn, local_date having count(*) > 1) as dup`); n != 0 {
			t.Errorf("daily_consumption has %d duplicated (mpxn, local_date) keys after the late merge", n)
		}
	})
}

// checkExtract: every file loaded with the given number of rows, none
// rejected.
func checkExtract(t *testing.T, got map[string]extract.FileResult, want map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("extracted %d files, want %d", len(got), len(want))
	}
	for name, rows := range want {
		r, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s was not extracted", name)
		case r.Status != extract.StatusLoaded || r.Rows != rows || r.Rejected != 0:
			t.Errorf("%s: %s, %d rows, %d rejected (err %v); want loaded, %d rows, 0 rejected", name, r.Status, r.Rows, r.Rejected, r.Err, rows)
		}
	}
}

// checkRawD0010 checks the landed flow against the file's own records.
func checkRawD0010(t *testing.T, w *warehouseEnv) {
	t.Helper()
	if n := w.count(t, `select count(*) from raw.d0010_readings`); n != 13 {
		t.Errorf("raw.d0010_readings: %d rows, want 13", n)
	}
	if n := w.count(t, `select count(distinct mpan_core) from raw.d0010_readings`); n != 11 {
		t.Errorf("raw.d0010_readings: %d MPANs, want 11", n)
	}
	if n := w.count(t, `select count(*) from raw.d0010_readings where not mpan_check_ok`); n != 0 {
		t.Errorf("%d readings flagged with a bad MPAN check digit; every MPAN in the file is valid", n)
	}
	rows := w.query(t, `select register_id, reading_value, read_at, meter_serial, reading_type, flow_file_id, file_name
		from raw.d0010_readings where mpan_core = $1 order by register_id`, "2200031930792")
	readAt := time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)
	want := [][]any{
		{"01", 20231.0, readAt, "S85D24767", "C", "0000475656", d0010File},
		{"02", 64472.0, readAt, "S85D24767", "C", "0000475656", d0010File},
	}
	if len(rows) != len(want) {
		t.Fatalf("MPAN 2200031930792: %d readings, want %d: %v", len(rows), len(want), rows)
	}
	for i := range want {
		for j := range want[i] {
			got := rows[i][j]
			if tm, ok := got.(time.Time); ok {
				if !tm.Equal(want[i][j].(time.Time)) || tm.Location() != time.UTC {
					t.Errorf("MPAN 2200031930792 row %d col %d: %v, want %v", i, j, got, want[i][j])
				}
				continue
			}
			if got != want[i][j] {
				t.Errorf("MPAN 2200031930792 row %d col %d: %#v, want %#v", i, j, got, want[i][j])
			}
		}
	}
	// A serial with an internal space is kept as delivered.
	if n := w.count(t, `select count(*) from raw.d0010_readings where mpan_core = '1200023305967' and meter_serial = 'F75A 00802' and register_id = 'S' and reading_value = 56311`); n != 1 {
		t.Errorf("MPAN 1200023305967: %d matching rows, want 1 (serial 'F75A 00802', S, 56311)", n)
	}
}

// day is the expected daily_consumption row of one UK local day.
type day struct {
	periods int64
	kwh     *big.Rat // exact sum of the file's decimal strings
}

// dailyFromCSV computes, with plain Go and independently of the extractor,
// each UK local day's interval count and exact kWh sum from half-hourly
// export files ("kWh, start, end" with offsets). An interval delivered
// twice counts once (the later file wins), as in staging.
func dailyFromCSV(t *testing.T, paths ...string) map[string]day {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	byStart := map[time.Time]*big.Rat{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
		for _, line := range lines[1:] {
			if strings.TrimSpace(line) == "" {
				continue
			}
			f := strings.Split(line, ",")
			if len(f) != 3 {
				t.Fatalf("%s: unexpected line %q", path, line)
			}
			kwh, ok := new(big.Rat).SetString(strings.TrimSpace(f[0]))
			if !ok {
				t.Fatalf("%s: bad kWh in %q", path, line)
			}
			start, err := time.Parse(time.RFC3339, strings.TrimSpace(f[1]))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			byStart[start.UTC()] = kwh
		}
	}
	out := map[string]day{}
	for start, kwh := range byStart {
		key := start.In(london).Format("2006-01-02")
		d := out[key]
		if d.kwh == nil {
			d.kwh = new(big.Rat)
		}
		d.periods++
		d.kwh.Add(d.kwh, kwh)
		out[key] = d
	}
	return out
}

// checkDaily compares daily_consumption's NULL-mpxn rows with the days
// computed from the file: same days, same interval counts, kWh equal to
// the sum rounded as the model rounds it (to 6 then 3 decimals).
func checkDaily(t *testing.T, w *warehouseEnv, want map[string]day) {
	t.Helper()
	rows := w.query(t, `select local_date, periods, expected_periods, kwh from cdw.daily_consumption where mpxn is null order by local_date`)
	got := map[string]bool{}
	for _, r := range rows {
		date := r[0].(time.Time).Format("2006-01-02")
		got[date] = true
		d, ok := want[date]
		if !ok {
			t.Errorf("daily_consumption has %s, which the file has no interval of", date)
			continue
		}
		if r[1] != d.periods {
			t.Errorf("%s: %v periods, want %d", date, r[1], d.periods)
		}
		expected := map[string]int64{"2023-03-26": 46, "2023-10-29": 50}[date]
		if expected == 0 {
			expected = 48
		}
		if r[2] != expected {
			t.Errorf("%s: expected_periods %v, want %d", date, r[2], expected)
		}
		six, _ := new(big.Rat).SetString(d.kwh.FloatString(6))
		if kwh := six.FloatString(3); r[3] != kwh {
			t.Errorf("%s: kwh %v, want %s (exact sum %s)", date, r[3], kwh, d.kwh.FloatString(20))
		}
	}
	var missing []string
	for date := range want {
		if !got[date] {
			missing = append(missing, date)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("daily_consumption lacks days %v", missing)
	}
}

// actualReads counts the 030 readings of a D0010 flow that the validity
// rules keep, read straight from the file: under a valid (V) 026, an 028
// whose reading type is not deemed, old-supplier-estimated or withdrawn
// (D, O, W), and not flagged failed (F).
func actualReads(t *testing.T, path string) int64 {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	pointValid, actual := false, false
	for _, line := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		f := strings.Split(line, "|")
		switch f[0] {
		case "026":
			pointValid = len(f) > 2 && f[2] == "V"
		case "028":
			actual = len(f) > 2 && (f[2] == "" || !strings.Contains("DOW", f[2]))
		case "030":
			if pointValid && actual && (len(f) < 7 || f[6] != "F") {
				n++
			}
		}
	}
	return n
}
