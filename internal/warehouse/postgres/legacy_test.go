package postgres

import (
	"context"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
	"github.com/cdw-dev/cdw/internal/warehouse/warehousetest"
)

// TestConformanceWithoutMerge runs the suite with the dialect of a server
// older than 15, so merges execute as delete + insert on a real server.
func TestConformanceWithoutMerge(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter {
		a, err := Open(context.Background(), Options{URL: testenv.PostgresURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		a.dialect = dialect.Postgres(140000)
		return a
	})
}
