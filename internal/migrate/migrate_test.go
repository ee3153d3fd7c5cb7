package migrate

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// rawTables maps each project migration file to the raw tables it creates.
// Files not listed here (added later) carry no table expectations.
var rawTables = map[string][]string{
	"00001_raw_bookkeeping.sql":            {"file_registry", "rejected_records"},
	"00002_raw_d0010_readings.sql":         {"d0010_readings"},
	"00003_raw_halfhourly_consumption.sql": {"halfhourly_consumption"},
}

// migrationFiles lists the NNNNN_*.sql files of fsys in version order.
func migrationFiles(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names) // zero-padded, so lexical order is version order
	if len(names) == 0 {
		t.Fatal("no migration files found")
	}
	return names
}

func TestProjectMigrations(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			db := eng.open(t)
			fsys := projectMigrations(t)
			files := migrationFiles(t, fsys)
			m := mustNew(t, db, eng.name, fsys)

			// Fresh database: everything pending, version 0.
			assertStatus(t, m, files, 0)
			if v, err := m.Version(ctx); err != nil || v != 0 {
				t.Fatalf("Version on fresh db = %d, %v; want 0, nil", v, err)
			}

			res, err := m.Up(ctx)
			if err != nil {
				t.Fatalf("Up: %v", err)
			}
			if got := resultFiles(res, DirectionUp); !slices.Equal(got, files) {
				t.Fatalf("Up applied %v, want %v", got, files)
			}
			for _, tbl := range []string{"file_registry", "rejected_records", "d0010_readings", "halfhourly_consumption"} {
				if !tableExists(t, db, "raw", tbl) {
					t.Errorf("after Up: raw.%s missing", tbl)
				}
			}
			assertStatus(t, m, files, len(files))
			recorded := recordedVersions(t, db)

			// Up again is a no-op.
			res, err = m.Up(ctx)
			if err != nil || len(res) != 0 {
				t.Fatalf("second Up = %v, %v; want nothing applied", res, err)
			}
			if again := recordedVersions(t, db); !slices.Equal(again, recorded) {
				t.Fatalf("second Up changed the version table: %v -> %v", recorded, again)
			}

			// Down one step at a time, checking each step removes exactly the
			// last applied migration.
			for applied := len(files); applied > 0; applied-- {
				last := files[applied-1]
				r, err := m.Down(ctx)
				if err != nil {
					t.Fatalf("Down with %d applied: %v", applied, err)
				}
				if r.File != last || r.Direction != DirectionDown || r.Version != versionOf(t, last) {
					t.Fatalf("Down rolled back %+v, want %s down", r, last)
				}
				assertStatus(t, m, files, applied-1)
				for _, f := range files {
					for _, tbl := range rawTables[f] {
						want := slices.Index(files, f) < applied-1
						if got := tableExists(t, db, "raw", tbl); got != want {
							t.Errorf("after rolling back %s: raw.%s exists = %v, want %v", last, tbl, got, want)
						}
					}
				}
			}
			if _, err := m.Down(ctx); !errors.Is(err, ErrNoAppliedMigrations) {
				t.Fatalf("Down with nothing applied: err = %v, want ErrNoAppliedMigrations", err)
			}

			// And all the way up again.
			res, err = m.Up(ctx)
			if err != nil {
				t.Fatalf("Up after downs: %v", err)
			}
			if got := resultFiles(res, DirectionUp); !slices.Equal(got, files) {
				t.Fatalf("Up after downs applied %v, want %v", got, files)
			}
		})
	}
}

// assertStatus checks Status lists files in order with the first applied of
// them applied, and that Version agrees.
func assertStatus(t *testing.T, m *Migrator, files []string, applied int) {
	t.Helper()
	ctx := context.Background()
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if len(st) != len(files) {
		t.Fatalf("Status lists %d migrations, want %d: %+v", len(st), len(files), st)
	}
	for i, s := range st {
		wantApplied := i < applied
		if s.File != files[i] || s.Version != versionOf(t, files[i]) || s.Applied != wantApplied {
			t.Errorf("Status[%d] = %+v, want file %s applied=%v", i, s, files[i], wantApplied)
		}
		if s.Applied == s.AppliedAt.IsZero() {
			t.Errorf("Status[%d] %s: applied=%v but AppliedAt=%v", i, s.File, s.Applied, s.AppliedAt)
		}
	}
	var want int64
	if applied > 0 {
		want = versionOf(t, files[applied-1])
	}
	if v, err := m.Version(ctx); err != nil || v != want {
		t.Errorf("Version = %d, %v; want %d", v, err, want)
	}
}

func versionOf(t *testing.T, file string) int64 {
	t.Helper()
	var v int64
	for _, c := range file[:strings.IndexByte(file, '_')] {
		v = v*10 + int64(c-'0')
	}
	return v
}

func resultFiles(rs []Result, dir Direction) []string {
	var out []string
	for _, r := range rs {
		if r.Direction != dir {
			out = append(out, "WRONG DIRECTION "+r.File)
			continue
		}
		out = append(out, r.File)
	}
	return out
}

func brokenFS() fstest.MapFS {
	return fstest.MapFS{
		"00001_a.sql": {Data: []byte("-- +goose Up\ncreate table t_a (id integer);\n-- +goose Down\ndrop table t_a;\n")},
		"00002_b.sql": {Data: []byte("-- +goose Up\ncreate table t_b (id integer);\n-- +goose Down\ndrop table t_b;\n")},
		// The first statement succeeds; the second fails, so the whole
		// migration must roll back.
		"00003_broken.sql": {Data: []byte("-- +goose Up\ncreate table t_partial (id integer);\ninsert into no_such_table values (1);\n-- +goose Down\ndrop table t_partial;\n")},
		"README.md":        {Data: []byte("not a migration")},
	}
}

func TestBrokenMigration(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			db := eng.open(t)
			m := mustNew(t, db, eng.name, brokenFS())

			res, err := m.Up(ctx)
			if err == nil {
				t.Fatal("Up with a broken migration succeeded")
			}
			var me *MigrationError
			if !errors.As(err, &me) {
				t.Fatalf("Up error %T %v is not a *MigrationError", err, err)
			}
			if me.File != "00003_broken.sql" || me.Version != 3 || me.Direction != DirectionUp {
				t.Errorf("MigrationError = %+v, want 00003_broken.sql version 3 up", me)
			}
			msg := err.Error()
			for _, want := range []string{"00003_broken.sql", "no_such_table", "does not exist"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if got := resultFiles(res, DirectionUp); !slices.Equal(got, []string{"00001_a.sql", "00002_b.sql"}) {
				t.Errorf("Up reported applied %v, want the two good migrations", got)
			}

			if !tableExists(t, db, currentSchema(eng.name), "t_a") || !tableExists(t, db, currentSchema(eng.name), "t_b") {
				t.Error("earlier migrations' tables missing after the failure")
			}
			if tableExists(t, db, currentSchema(eng.name), "t_partial") {
				t.Error("the failed migration's first statement was not rolled back")
			}
			if got := recordedVersions(t, db); !slices.Equal(got, []int64{0, 1, 2}) {
				t.Errorf("version table = %v, want [0 1 2]", got)
			}
			assertStatus(t, m, []string{"00001_a.sql", "00002_b.sql", "00003_broken.sql"}, 2)

			// Retrying fails the same way and changes nothing.
			if _, err := m.Up(ctx); !errors.As(err, &me) || me.File != "00003_broken.sql" {
				t.Errorf("second Up error = %v, want the broken migration again", err)
			}
			if got := recordedVersions(t, db); !slices.Equal(got, []int64{0, 1, 2}) {
				t.Errorf("version table after retry = %v, want [0 1 2]", got)
			}
		})
	}
}

func currentSchema(engine string) string {
	if engine == EngineDuckDB {
		return "main"
	}
	return "public"
}

func TestBrokenDown(t *testing.T) {
	fsys := fstest.MapFS{
		"00001_a.sql": {Data: []byte("-- +goose Up\ncreate table t_a (id integer);\n-- +goose Down\ndrop table t_missing;\n")},
	}
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			db := eng.open(t)
			m := mustNew(t, db, eng.name, fsys)
			if _, err := m.Up(ctx); err != nil {
				t.Fatalf("Up: %v", err)
			}
			_, err := m.Down(ctx)
			var me *MigrationError
			if !errors.As(err, &me) || me.File != "00001_a.sql" || me.Direction != DirectionDown {
				t.Fatalf("Down error = %v, want a MigrationError for 00001_a.sql down", err)
			}
			if !strings.Contains(err.Error(), "t_missing") {
				t.Errorf("Down error %q lacks the database's message", err)
			}
			if got := recordedVersions(t, db); !slices.Equal(got, []int64{0, 1}) {
				t.Errorf("version table = %v, want [0 1]: a failed down must keep the migration applied", got)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	db := openDuckDB(t)
	good := fstest.MapFS{"00001_a.sql": {Data: []byte("-- +goose Up\nselect 1;\n")}}
	tests := []struct {
		name    string
		db      bool
		engine  string
		fsys    fs.FS
		wantMsg string
	}{
		{"unknown engine", true, "mysql", good, `unsupported engine "mysql"`},
		{"empty engine", true, "", good, `unsupported engine ""`},
		{"nil db", false, EngineDuckDB, good, "db must not be nil"},
		{"nil fs", true, EngineDuckDB, nil, "fs must not be nil"},
		{"no migrations", true, EngineDuckDB, fstest.MapFS{"README.md": {}}, "no migration files"},
		{"duplicate version", true, EngineDuckDB, fstest.MapFS{
			"00001_a.sql": {Data: []byte("-- +goose Up\n")},
			"1_b.sql":     {Data: []byte("-- +goose Up\n")},
		}, "duplicate migration version 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := db
			if !tc.db {
				d = nil
			}
			m, err := New(d, tc.engine, tc.fsys)
			if err == nil {
				t.Fatalf("New succeeded (%v), want error containing %q", m, tc.wantMsg)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
		})
	}
	if _, err := New(db, EngineDuckDB, good, WithLockTimeout(0)); err == nil {
		t.Error("WithLockTimeout(0) accepted")
	}
	if _, err := New(db, EngineDuckDB, good, WithLogger(nil)); err == nil {
		t.Error("WithLogger(nil) accepted")
	}
}
