package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
	"github.com/cdw-dev/cdw/internal/warehouse/warehousetest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func open(t testing.TB, url string, maxConns int) *postgres.Adapter {
	t.Helper()
	a, err := postgres.Open(context.Background(), postgres.Options{URL: url, MaxConns: maxConns})
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

func TestConformance(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter {
		return open(t, testenv.PostgresURL(t), 8)
	})
}

func TestOpenValidatesOptions(t *testing.T) {
	ctx := context.Background()
	for name, opts := range map[string]postgres.Options{
		"no URL":            {},
		"negative MaxConns": {URL: "postgres://localhost/x", MaxConns: -1},
		"unparseable URL":   {URL: "postgres://%zz"},
	} {
		if a, err := postgres.Open(ctx, opts); err == nil {
			a.Close()
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func BenchmarkBulkLoad1M(b *testing.B) {
	warehousetest.BenchBulkLoad(b, open(b, testenv.PostgresURL(b), 4), 1_000_000)
}
