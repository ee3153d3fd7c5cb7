package warehousetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

func testExecAndQuery(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create table t (id bigint, name text); insert into t values (1, 'a'), (2, 'b'), (3, 'c')")
	for _, tc := range []struct {
		limit, want int
	}{{-1, 3}, {0, 0}, {2, 2}, {10, 3}} {
		res, err := a.Query(ctx, "select id, name from t order by id", tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != tc.want {
			t.Errorf("limit %d: %d rows, want %d", tc.limit, len(res.Rows), tc.want)
		}
		if strings.Join(res.Columns, ",") != "id,name" {
			t.Errorf("columns %v, want [id name]", res.Columns)
		}
	}
	res, err := a.Query(ctx, "select name from t where id = $1 or name = $2 order by name", -1, int64(2), "c")
	if err != nil {
		t.Fatal(err)
	}
	if got := render(res.Rows); got != "string:b\nstring:c" {
		t.Errorf("query with $1, $2 returned\n%s", got)
	}
	if err := a.Exec(ctx, "delete from t where id = $1", int64(1)); err != nil {
		t.Fatalf("exec with $1: %v", err)
	}
	if n := count(t, a, "t"); n != 2 {
		t.Errorf("after delete: %d rows, want 2", n)
	}
	if err := a.Exec(ctx, "insert into no_such_table values (1)"); err == nil {
		t.Error("exec on a missing table succeeded")
	}
	if _, err := a.Query(ctx, "select * from no_such_table", -1); err == nil {
		t.Error("query on a missing table succeeded")
	}
}

func testQueryNormalizesValues(t *testing.T, a warehouse.Adapter) {
	rows := query(t, a, `select cast(7 as smallint), cast(8 as integer), cast(9 as bigint),
		cast(1.5 as real), cast(2.25 as double precision), cast(1.5 as numeric(10,2)),
		cast(-0.05 as numeric(10,3)), 'x', true, cast(null as text),
		cast('2024-03-31' as date),
		cast('2024-03-31 01:30:00' as timestamp),
		cast('2024-03-31 01:30:00+01' as timestamptz)`)
	want := "int64:7 | int64:8 | int64:9 | float64:1.5 | float64:2.25 | string:1.50 | string:-0.050 | string:x | bool:true | NULL | " +
		"2024-03-31T00:00:00Z@UTC | 2024-03-31T01:30:00Z@UTC | 2024-03-31T00:30:00Z@UTC"
	if got := render(rows); got != want {
		t.Errorf("normalized values\n got: %s\nwant: %s", got, want)
	}
}

func testColumnsAndRelationKind(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create schema s; create table s.t (b bigint, a text, c timestamptz); create view s.v as select a, b from s.t")
	cols, err := a.Columns(ctx, warehouse.Relation{Schema: "s", Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
		if c.Type == "" || c.Type != strings.ToLower(c.Type) {
			t.Errorf("column %s: type %q should be a non-empty lower-case name", c.Name, c.Type)
		}
	}
	if strings.Join(names, ",") != "b,a,c" {
		t.Errorf("columns of s.t: %v, want ordinal order b,a,c", names)
	}
	if !strings.Contains(cols[2].Type, "time zone") && !strings.Contains(cols[2].Type, "tz") {
		t.Errorf("timestamptz column reported as %q", cols[2].Type)
	}
	vcols, err := a.Columns(ctx, warehouse.Relation{Schema: "s", Name: "v"})
	if err != nil || len(vcols) != 2 || vcols[0].Name != "a" {
		t.Errorf("columns of view s.v: %v, %v", vcols, err)
	}
	for _, tc := range []struct {
		rel  warehouse.Relation
		kind warehouse.Kind
		ok   bool
	}{
		{warehouse.Relation{Schema: "s", Name: "t"}, warehouse.KindTable, true},
		{warehouse.Relation{Schema: "s", Name: "v"}, warehouse.KindView, true},
		{warehouse.Relation{Schema: "s", Name: "missing"}, "", false},
		{warehouse.Relation{Schema: "no_schema", Name: "t"}, "", false},
		{warehouse.Relation{Name: "t"}, "", false},
	} {
		kind, ok, err := a.RelationKind(ctx, tc.rel)
		if err != nil {
			t.Errorf("RelationKind(%s): %v", tc.rel, err)
			continue
		}
		if kind != tc.kind || ok != tc.ok {
			t.Errorf("RelationKind(%s) = %q, %v; want %q, %v", tc.rel, kind, ok, tc.kind, tc.ok)
		}
		if !tc.ok {
			if _, err := a.Columns(ctx, tc.rel); !errors.Is(err, warehouse.ErrRelationNotFound) {
				t.Errorf("Columns(%s) error %v does not wrap ErrRelationNotFound", tc.rel, err)
			}
		}
	}
	exec(t, a, "create table unqualified (x bigint)")
	if kind, ok, err := a.RelationKind(ctx, warehouse.Relation{Name: "unqualified"}); err != nil || !ok || kind != warehouse.KindTable {
		t.Errorf("RelationKind without schema = %q, %v, %v; want table in the default schema", kind, ok, err)
	}
}

func testInTx(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create table t (id bigint, name text)")
	rel := warehouse.Relation{Name: "t"}
	cols := []string{"id", "name"}
	if err := a.InTx(ctx, func(tx warehouse.Conn) error {
		if err := tx.Exec(ctx, "insert into t values (1, 'a')"); err != nil {
			return err
		}
		_, err := tx.BulkLoad(ctx, rel, cols, &rowsSource{rows: [][]any{{int64(2), "b"}}})
		if err != nil {
			return err
		}
		// The transaction sees its own rows.
		res, err := tx.Query(ctx, "select count(*) from t", -1)
		if err != nil {
			return err
		}
		if res.Rows[0][0] != int64(2) {
			t.Errorf("inside the transaction: %v rows, want 2", res.Rows[0][0])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a, "t"); n != 2 {
		t.Fatalf("after commit: %d rows, want 2", n)
	}

	boom := errors.New("boom")
	var leaked warehouse.Conn
	err := a.InTx(ctx, func(tx warehouse.Conn) error {
		leaked = tx
		if err := tx.Exec(ctx, "insert into t values (3, 'c')"); err != nil {
			return err
		}
		n, err := tx.BulkLoad(ctx, rel, cols, readingsLike(5000))
		if err != nil {
			return err
		}
		if n != 5000 {
			t.Errorf("bulk load in tx: %d rows, want 5000", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	if n := count(t, a, "t"); n != 2 {
		t.Errorf("after rollback: %d rows, want 2 (the rolled-back insert and bulk load must leave nothing)", n)
	}
	if err := leaked.Exec(ctx, "insert into t values (9, 'z')"); err == nil {
		t.Error("a transaction's Conn still works after InTx returned")
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic in fn was not re-raised")
			}
		}()
		_ = a.InTx(ctx, func(tx warehouse.Conn) error {
			if err := tx.Exec(ctx, "insert into t values (4, 'd')"); err != nil {
				return err
			}
			panic("fn panics")
		})
	}()
	if n := count(t, a, "t"); n != 2 {
		t.Errorf("after panic: %d rows, want 2", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	err = a.InTx(cctx, func(tx warehouse.Conn) error {
		if err := tx.Exec(cctx, "insert into t values (5, 'e')"); err != nil {
			return err
		}
		cancel()
		return cctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("InTx with cancelled ctx returned %v", err)
	}
	if n := count(t, a, "t"); n != 2 {
		t.Errorf("after cancelled transaction: %d rows, want 2", n)
	}
	// The pool still works after all of the above.
	if err := a.InTx(ctx, func(tx warehouse.Conn) error { return tx.Exec(ctx, "insert into t values (6, 'f')") }); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a, "t"); n != 3 {
		t.Errorf("after last commit: %d rows, want 3", n)
	}
}

// readingsLike generates (id bigint, name text) rows.
func readingsLike(n int64) *genSource {
	return &genSource{n: n, row: make([]any, 2), gen: func(i int64, row []any) {
		row[0] = i
		row[1] = "row"
	}}
}

func testLock(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	unlock, err := a.Lock(ctx, "target-dev")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if u2, err := a.Lock(short, "target-dev"); err == nil {
		u2()
		t.Fatal("a second locker got the lock while it was held")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second locker failed with %v, want a wrapped context.DeadlineExceeded", err)
	}
	other, err := a.Lock(ctx, "target-prod")
	if err != nil {
		t.Fatalf("a lock of another name should be free: %v", err)
	}
	other()
	unlock()
	unlock() // idempotent
	again, err := a.Lock(ctx, "target-dev")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

func testDB(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create table t (x bigint); insert into t values (41)")
	var x int64
	if err := a.DB().QueryRowContext(ctx, "select x + 1 from t").Scan(&x); err != nil {
		t.Fatalf("database/sql view of the pool: %v", err)
	}
	if x != 42 {
		t.Errorf("DB() query returned %d, want 42", x)
	}
	if a.DB() != a.DB() {
		t.Error("DB() returns a new *sql.DB on every call")
	}
}
