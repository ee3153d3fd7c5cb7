package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/warehousetest"
)

func open(t testing.TB, path string) *duckdb.Adapter {
	t.Helper()
	a, err := duckdb.Open(context.Background(), duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return a
}

func TestConformanceInMemory(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter { return open(t, "") })
}

func TestConformanceOnFile(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter {
		return open(t, filepath.Join(t.TempDir(), "nested", "dir", "cdw.duckdb"))
	})
}

func TestFileKeepsDataAcrossOpens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "w.duckdb")
	a, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Exec(ctx, "create table t as select 42 as x"); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b := open(t, path)
	res, err := b.Query(ctx, "select x from t", -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(42) {
		t.Errorf("reopened file returns %v, want 42", res.Rows[0][0])
	}
}

func BenchmarkBulkLoad1M(b *testing.B) {
	warehousetest.BenchBulkLoad(b, open(b, ""), 1_000_000)
}
