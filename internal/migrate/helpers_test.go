package migrate

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/cdw-dev/cdw/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// engine opens a fresh, empty database of one kind.
type engine struct {
	name string
	open func(t *testing.T) *sql.DB
}

func engines() []engine {
	return []engine{
		{EngineDuckDB, openDuckDB},
		{EnginePostgres, openPostgres},
	}
}

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "warehouse.duckdb"))
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	url := testenv.PostgresURL(t)
	return openPostgresURL(t, url)
}

func openPostgresURL(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustNew(t *testing.T, db *sql.DB, eng string, fsys fs.FS) *Migrator {
	t.Helper()
	m, err := New(db, eng, fsys)
	if err != nil {
		t.Fatalf("New(%s): %v", eng, err)
	}
	return m
}

// projectMigrations is the project's real migrations folder.
func projectMigrations(t *testing.T) fs.FS {
	t.Helper()
	return os.DirFS(filepath.Join(testenv.RepoRoot(t), "migrations"))
}

// tableExists reports whether schema.table exists (information_schema works
// on both engines).
func tableExists(t *testing.T, db *sql.DB, schema, table string) bool {
	t.Helper()
	var n int
	err := db.QueryRowContext(context.Background(),
		`select count(*) from information_schema.tables where table_schema = $1 and table_name = $2`,
		schema, table).Scan(&n)
	if err != nil {
		t.Fatalf("query information_schema for %s.%s: %v", schema, table, err)
	}
	return n > 0
}

// recordedVersions returns the version_id column of the version table in
// insertion order.
func recordedVersions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `select version_id from `+VersionTable+` order by id`)
	if err != nil {
		t.Fatalf("read version table: %v", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("scan version table: %v", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read version table: %v", err)
	}
	return out
}
