package warehousetest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// applyUpMigrations runs the Up half of every goose migration in the
// repository's migrations/ folder, in file order.
func applyUpMigrations(t *testing.T, a warehouse.Adapter) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		up := strings.Index(text, "-- +goose Up")
		down := strings.Index(text, "-- +goose Down")
		if up < 0 || down < up {
			t.Fatalf("%s: no goose Up/Down sections", f)
		}
		if err := a.Exec(ctxFor(t), text[up:down]); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
	}
}

// testRawTables loads the raw tables the migrations create with values of
// the types extractors emit, including NULLs in nullable columns.
func testRawTables(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	applyUpMigrations(t, a)
	readAt := time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC) // no such UK clock time: stored as delivered
	cols := []string{"load_id", "file_name", "line_no", "flow_file_id", "flow_created_at", "mpan_core", "mpan_check_ok",
		"validation_status", "meter_serial", "reading_type", "register_id", "read_at", "reading_value",
		"md_reset_at", "md_reset_count", "reading_flag", "reading_method"}
	rows := [][]any{
		{"load-1", "TEST0001.uff", int64(7), "F0001", time.Date(2024, 4, 2, 9, 15, 0, 0, time.UTC), "1200023305967", true,
			"V", "Z99 12345", "C", "01", readAt, 12345.6, nil, nil, "T", "N"},
		{"load-1", "TEST0001.uff", int64(9), "F0001", nil, "1200023305967", true,
			nil, "Z99 12345", nil, "02", readAt, 0.0, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), int64(3), nil, nil},
	}
	rel := warehouse.Relation{Schema: "raw", Name: "d0010_readings"}
	if n, err := a.BulkLoad(ctx, rel, cols, &rowsSource{rows: rows}); err != nil || n != 2 {
		t.Fatalf("load raw.d0010_readings: %d, %v", n, err)
	}
	got := render(query(t, a, "select register_id, read_at, reading_value, md_reset_count from raw.d0010_readings"))
	want := render([][]any{{"01", readAt, 12345.6, nil}, {"02", readAt, 0.0, int64(3)}})
	if got != want {
		t.Errorf("raw.d0010_readings\n got:\n%s\nwant:\n%s", got, want)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("Europe/London: %v", err)
	}
	// 01:00 London on 2024-10-27 happens twice; instants keep them apart.
	first := time.Date(2024, 10, 27, 0, 0, 0, 0, time.UTC)
	hh := [][]any{
		{"load-2", "hh.csv", int64(2), nil, nil, first.In(london), first.Add(30 * time.Minute).In(london), 0.25},
		{"load-2", "hh.csv", int64(3), "1200023305967", "Z99 12345", first.Add(60 * time.Minute), first.Add(90 * time.Minute), 0.5},
	}
	hhCols := []string{"load_id", "file_name", "line_no", "mpxn", "meter_serial", "interval_start", "interval_end", "kwh"}
	if n, err := a.BulkLoad(ctx, warehouse.Relation{Schema: "raw", Name: "halfhourly_consumption"}, hhCols, &rowsSource{rows: hh}); err != nil || n != 2 {
		t.Fatalf("load raw.halfhourly_consumption: %d, %v", n, err)
	}
	got = render(query(t, a, "select interval_start, kwh from raw.halfhourly_consumption"))
	want = render([][]any{{first, 0.25}, {first.Add(time.Hour), 0.5}})
	if got != want {
		t.Errorf("raw.halfhourly_consumption\n got:\n%s\nwant:\n%s", got, want)
	}
}
