package testenv

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestPostgresURLGivesAnEmptyDatabaseOfItsOwn(t *testing.T) {
	a, b := PostgresURL(t), PostgresURL(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, "select count(*) from information_schema.tables where table_schema = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("new database has %d tables in public, want 0", n)
	}
}

func TestThrowawayClusterStartsAndStops(t *testing.T) {
	if _, err := findPGBin(); err != nil {
		unavailable(t, "%v", err)
	}
	c, err := startThrowaway()
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(c.url); err != nil {
		t.Fatalf("ping throwaway: %v", err)
	}
	c.stop()
	if err := ping(c.url); err == nil {
		t.Fatal("throwaway cluster still answers after stop")
	}
}

func TestRealDataFindsTheSharedFiles(t *testing.T) {
	p := RealData(t, "kraken-d0010/DTC5259515123502080915D0010.uff")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
}
