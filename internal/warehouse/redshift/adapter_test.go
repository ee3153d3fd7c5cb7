package redshift_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/redshift"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// The adapter speaks the PostgreSQL wire protocol, so everything except
// Redshift-only syntax (late-binding views, COPY from S3, stv_slices) is
// exercised against PostgreSQL here; the live suite (live_test.go) runs
// the rest on a real cluster.

func openPG(t *testing.T) *redshift.Adapter {
	t.Helper()
	a, err := redshift.Open(context.Background(), redshift.Options{URL: testenv.PostgresURL(t), MaxConns: 6, BindViews: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func exec(t *testing.T, c warehouse.Conn, sql string) {
	t.Helper()
	if err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func rows(t *testing.T, c warehouse.Conn, sql string) [][]any {
	t.Helper()
	res, err := c.Query(context.Background(), sql, -1)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res.Rows
}

func TestOpenOverTheWire(t *testing.T) {
	a := openPG(t)
	if a.IsRedshift() || !strings.Contains(a.Version(), "PostgreSQL") {
		t.Fatalf("version %q", a.Version())
	}
	if a.Dialect().Name() != "redshift" {
		t.Fatal(a.Dialect().Name())
	}
	// Sessions run in UTC and parameters travel in exec mode.
	got := rows(t, a, "select current_setting('TimeZone')")
	if got[0][0] != "UTC" {
		t.Fatalf("TimeZone = %v", got[0][0])
	}
	res, err := a.Query(context.Background(), "select $1::bigint + 1, $2::text", -1, int64(41), "x")
	if err != nil || res.Rows[0][0] != int64(42) || res.Rows[0][1] != "x" {
		t.Fatalf("parameters: %v %v", res, err)
	}
	for name, opts := range map[string]redshift.Options{"no URL": {}, "negative MaxConns": {URL: "postgres://h/x", MaxConns: -1}, "bad URL": {URL: "postgres://%zz"}} {
		if a, err := redshift.Open(context.Background(), opts); err == nil {
			a.Close()
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestMaterializationsOverTheWire(t *testing.T) {
	a := openPG(t)
	ctx := context.Background()
	model := warehouse.Relation{Schema: "cdw", Name: "readings"}
	if _, err := warehouse.BuildTable(ctx, a, model, "select 1 as k, 'a'::text as v"); err != nil {
		t.Fatal(err)
	}
	kind, ok, err := a.RelationKind(ctx, warehouse.Relation{Schema: "CDW", Name: "Readings"})
	if err != nil || !ok || kind != warehouse.KindTable {
		t.Fatalf("RelationKind folds case like Redshift: %v %v %v", kind, ok, err)
	}
	// A bound view two levels deep survives the swap: the catalog walk
	// finds both and recreates them in order.
	if err := warehouse.BuildView(ctx, a, warehouse.Relation{Schema: "reports", Name: "v1"}, `select k, v from "cdw"."readings"`); err != nil {
		t.Fatal(err)
	}
	if err := warehouse.BuildView(ctx, a, warehouse.Relation{Schema: "reports", Name: "v2"}, `select count(*) as n from "reports"."v1"`); err != nil {
		t.Fatal(err)
	}
	if n, err := warehouse.BuildTable(ctx, a, model, "select k, 'b'::text as v from generate_series(1, 3) k"); err != nil || n != 3 {
		t.Fatalf("swap: %d %v", n, err)
	}
	if got := rows(t, a, `select n from "reports"."v2"`); got[0][0] != int64(3) {
		t.Fatalf("dependent view after swap: %v", got)
	}
	cols, err := a.Columns(ctx, warehouse.Relation{Schema: "reports", Name: "v1"})
	if err != nil || len(cols) != 2 || cols[0].Name != "k" || cols[1].Type != "text" {
		t.Fatalf("Columns: %+v %v", cols, err)
	}
	if _, err := a.Columns(ctx, warehouse.Relation{Schema: "cdw", Name: "missing"}); !errors.Is(err, warehouse.ErrRelationNotFound) {
		t.Fatalf("missing relation: %v", err)
	}
	// A swap whose new table lacks a column a bound view needs is refused
	// and leaves the old table live.
	if _, err := warehouse.BuildTable(ctx, a, model, "select 1 as other"); err == nil || !strings.Contains(err.Error(), "reports.v1") {
		t.Fatalf("unfitting swap: %v", err)
	}
	// Redshift's MERGE shape (no target alias, spelled-out null-safe keys)
	// upserts, NULL keys matching NULL keys.
	exec(t, a, `create table cdw.inc as select k, v from (values (1, 'a'), (null::int, 'n')) t(k, v)`)
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "cdw", Name: "inc"}, Strategy: "merge", UniqueKey: []string{"k"},
		Query: `select k, v from (values (1, 'A'), (null::int, 'N'), (2, 'B')) t(k, v)`,
	})
	if err != nil || n != 3 {
		t.Fatalf("merge: %d %v", n, err)
	}
	got := rows(t, a, `select coalesce(k, -1), v from cdw.inc order by 1`)
	if len(got) != 3 || got[0][1] != "N" || got[1][1] != "A" || got[2][1] != "B" {
		t.Fatalf("after merge: %v", got)
	}
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "cdw", Name: "inc"}, Strategy: "append", Query: `select 9 as k, 'z' as v`,
	}); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, a, `select count(*) from cdw.inc`); got[0][0] != int64(4) {
		t.Fatalf("after append: %v", got)
	}
}

func TestTruncateIsRefusedInsideTransactions(t *testing.T) {
	a := openPG(t)
	ctx := context.Background()
	exec(t, a, "create table t (a int); insert into t values (1)")
	for _, stmt := range []string{"truncate t", "TRUNCATE TABLE t", "delete from t where a = 2; truncate t", "-- clear\n  truncate t"} {
		err := a.InTx(ctx, func(tx warehouse.Conn) error { return tx.Exec(ctx, stmt) })
		if !errors.Is(err, redshift.ErrTruncateInTx) {
			t.Errorf("%q in InTx: %v", stmt, err)
		}
	}
	// Mentioning the word is fine; so is DELETE (the way to clear in a tx).
	err := a.InTx(ctx, func(tx warehouse.Conn) error {
		if err := tx.Exec(ctx, "insert into t values (length('truncate t'))"); err != nil {
			return err
		}
		return tx.Exec(ctx, "delete from t where a = 1")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, a, "select a from t"); len(got) != 1 || got[0][0] != int64(10) {
		t.Fatalf("rows: %v", got)
	}
	exec(t, a, "truncate t") // outside a transaction it is allowed
}

// TestSerializationConflictIsRetried provokes a real serialization failure
// (SQLSTATE 40001) with two serializable transactions that each read what
// the other writes, and checks InTx re-runs the loser.
func TestSerializationConflictIsRetried(t *testing.T) {
	a := openPG(t)
	ctx := context.Background()
	exec(t, a, "create table acct (id int, v int); insert into acct values (1, 0), (2, 0)")
	bothRead := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	var readers sync.WaitGroup
	readers.Add(2)
	attempts := [2]int{}
	var errs [2]error
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.InTx(ctx, func(tx warehouse.Conn) error {
				attempts[i]++
				if _, err := tx.Query(ctx, "select sum(v) from acct", -1); err != nil {
					return err
				}
				if attempts[i] == 1 {
					readers.Done()
					once.Do(func() { go func() { readers.Wait(); close(bothRead) }() })
					<-bothRead
				}
				return tx.Exec(ctx, "update acct set v = v + 1 where id = "+string(rune('1'+i)))
			})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("InTx errors: %v / %v", errs[0], errs[1])
	}
	if attempts[0]+attempts[1] < 3 {
		t.Fatalf("attempts %v: one transaction should have lost and been retried", attempts)
	}
	if got := rows(t, a, "select sum(v) from acct"); got[0][0] != int64(2) {
		t.Fatalf("both updates applied once: %v", got)
	}
}

func TestLockExcludesSecondLocker(t *testing.T) {
	a := openPG(t)
	ctx := context.Background()
	unlock, err := a.Lock(ctx, "cdw:meters")
	if err != nil {
		t.Fatal(err)
	}
	// Another name is independent.
	other, err := a.Lock(ctx, "cdw:other")
	if err != nil {
		t.Fatal(err)
	}
	other()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if u, err := a.Lock(short, "cdw:meters"); err == nil {
		u()
		t.Fatal("second locker got a held lock")
	}
	got := make(chan error, 1)
	go func() {
		u, err := a.Lock(ctx, "cdw:meters")
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	unlock() // idempotent
	if err := <-got; err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}

func TestBulkLoadWithoutStagingSaysSo(t *testing.T) {
	a := openPG(t)
	exec(t, a, "create table t (a int)")
	_, err := a.BulkLoad(context.Background(), warehouse.Relation{Name: "t"}, []string{"a"}, nil)
	if err == nil || !strings.Contains(err.Error(), "no S3 staging configured") {
		t.Fatalf("err = %v", err)
	}
}

func TestWithTableOptionsSharesThePool(t *testing.T) {
	a := openPG(t)
	if _, err := a.WithTableOptions(redshift.TableOptions{SortType: "zorder", Sort: []string{"a"}}); err == nil {
		t.Fatal("invalid options accepted")
	}
	tb, err := a.WithTableOptions(redshift.TableOptions{Dist: "k"})
	if err != nil {
		t.Fatal(err)
	}
	d := tb.Dialect().(redshift.Dialect)
	if got := d.CreateTableAs(warehouse.Relation{Schema: "s", Name: "t"}, "select 1"); !strings.Contains(got, `diststyle key distkey("k")`) {
		t.Fatalf("CreateTableAs = %s", got)
	}
	if got := a.Dialect().(redshift.Dialect).CreateTableAs(warehouse.Relation{Name: "t"}, "select 1"); strings.Contains(got, "dist") {
		t.Fatalf("the original adapter changed: %s", got)
	}
	exec(t, tb, "create table shared (a int)") // same database, same pool
	if got := rows(t, a, "select count(*) from shared"); got[0][0] != int64(0) {
		t.Fatal(got)
	}
}
