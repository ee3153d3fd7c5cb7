// Package enginetest runs a test on every warehouse engine cdw supports:
// an in-memory DuckDB and a fresh PostgreSQL database (testenv.PostgresURL:
// skipped without a server, except under CI=true). It is for tests only.
package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// Engines are the engine names, in the order Each runs them.
var Engines = []string{"duckdb", "postgres"}

// Open returns a fresh, empty warehouse of the named engine, closed when t
// ends.
func Open(t *testing.T, engine string) warehouse.Adapter {
	t.Helper()
	ctx := context.Background()
	var (
		a   warehouse.Adapter
		err error
	)
	switch engine {
	case "duckdb":
		a, err = duckdb.Open(ctx, duckdb.Options{})
	case "postgres":
		a, err = postgres.Open(ctx, postgres.Options{URL: testenv.PostgresURL(t)})
	default:
		t.Fatalf("enginetest: unknown engine %q", engine)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// Each runs fn as a subtest per engine with a fresh warehouse.
func Each(t *testing.T, fn func(t *testing.T, a warehouse.Adapter)) {
	for _, e := range Engines {
		t.Run(e, func(t *testing.T) { fn(t, Open(t, e)) })
	}
}

// Ctx is a context for one test, cancelled when it ends.
func Ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Query runs sql and fails the test on error.
func Query(t *testing.T, a warehouse.Adapter, sql string, args ...any) *warehouse.Result {
	t.Helper()
	res, err := a.Query(Ctx(t), sql, -1, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// Exec runs sql and fails the test on error.
func Exec(t *testing.T, a warehouse.Adapter, sql string, args ...any) {
	t.Helper()
	if err := a.Exec(Ctx(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
