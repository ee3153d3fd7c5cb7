package migrate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSnakeCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"add meter table", "add_meter_table"},
		{"Add Meter Table", "add_meter_table"},
		{"addMeterTable", "add_meter_table"},
		{"add-meter-table", "add_meter_table"},
		{"  add__meter--table  ", "add_meter_table"},
		{"HTTPServerLog", "http_server_log"},
		{"raw D0010 readings", "raw_d0010_readings"},
		{"d0010Readings", "d0010_readings"},
		{"already_snake", "already_snake"},
		{"café menu", "caf_menu"},
		{"", ""},
		{"   ", ""},
		{"!!!", ""},
	}
	for _, tc := range tests {
		if got := snakeCase(tc.in); got != tc.want {
			t.Errorf("snakeCase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCreate(t *testing.T) {
	now := time.Date(2026, 12, 3, 18, 6, 52, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		existing []string
		migName  string
		wantFile string
	}{
		{"empty dir", nil, "raw bookkeeping", "00001_raw_bookkeeping.sql"},
		{"after two", []string{"00001_a.sql", "00002_b.sql"}, "Add Index", "00003_add_index.sql"},
		{"gap uses highest", []string{"00001_a.sql", "00007_b.sql"}, "x", "00008_x.sql"},
		{"ignores non-migrations", []string{"00002_a.sql", "README.md", "notes_9.txt", "abc_1.sql"}, "y", "00003_y.sql"},
		{"counts go migrations", []string{"00001_a.sql", "00004_b.go"}, "z", "00005_z.sql"},
		{"grows past 5 digits", []string{"99999_a.sql"}, "big", "100000_big.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.existing {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("-- +goose Up\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Create(dir, tc.migName, now)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if p != filepath.Join(dir, tc.wantFile) {
				t.Fatalf("Create path = %s, want %s", p, tc.wantFile)
			}
			body, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s := string(body)
			up, down := strings.Index(s, "-- +goose Up\n"), strings.Index(s, "-- +goose Down\n")
			if up < 0 || down < up {
				t.Errorf("file lacks Up then Down sections:\n%s", s)
			}
			if !strings.Contains(s, "2026-12-03T17:06:52Z") {
				t.Errorf("header lacks the UTC creation time:\n%s", s)
			}
		})
	}
}

func TestCreateRejects(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"", "  ", "--!"} {
		if p, err := Create(dir, name, time.Now()); err == nil {
			t.Errorf("Create(%q) = %s, want error", name, p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("rejected names left files behind: %v", entries)
	}
	if _, err := Create(filepath.Join(dir, "missing"), "x", time.Now()); err == nil {
		t.Error("Create in a missing dir succeeded")
	}
}

// TestCreateThenUp checks goose accepts a created file: it is listed at the
// next version and applies (as an empty migration) after the existing ones.
func TestCreateThenUp(t *testing.T) {
	dir := t.TempDir()
	first := "-- +goose Up\ncreate table t_a (id integer);\n-- +goose Down\ndrop table t_a;\n"
	if err := os.WriteFile(filepath.Join(dir, "00001_a.sql"), []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Create(dir, "second step", time.Now())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	m := mustNew(t, openDuckDB(t), EngineDuckDB, os.DirFS(dir))
	res, err := m.Up(context.Background())
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	if len(res) != 2 || res[1].File != filepath.Base(p) || res[1].Version != 2 || !res[1].Empty {
		t.Fatalf("Up results = %+v, want 00001_a.sql then an empty %s at version 2", res, filepath.Base(p))
	}
}
