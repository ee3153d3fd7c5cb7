package duckdb

import (
	"context"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
	"github.com/cdw-dev/cdw/internal/warehouse/warehousetest"
)

// TestConformanceWithoutMerge runs the suite with the dialect of DuckDB
// before 1.4, so merges execute as delete + insert.
func TestConformanceWithoutMerge(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter {
		a, err := Open(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		a.dialect = dialect.DuckDB(1, 3)
		return a
	})
}
