package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// A merge whose delta has no NULL key matches keys with =, which
// PostgreSQL hash-joins; the null-safe form (IS NOT DISTINCT FROM) would
// be a nested loop over the table and the delta. Both merges leave the
// same rows.
func TestMergeWithoutNullKeysIsHashJoined(t *testing.T) {
	ctx := context.Background()
	a := open(t, testenv.PostgresURL(t), 2)
	s, ok := a.Dialect().(warehouse.NonNullKeyStatements)
	if !ok {
		t.Fatal("the PostgreSQL dialect has no NonNullKeyStatements")
	}
	target := warehouse.Relation{Schema: "marts", Name: "daily"}
	delta := warehouse.Relation{Schema: "marts", Name: "daily_delta"}
	for _, sql := range []string{
		"create schema marts",
		"create table marts.daily as select 'm' || (g % 100) as meter, date '2024-01-01' + g / 100 as day, g as kwh from generate_series(0, 19999) as g",
		"create table marts.daily_delta as select 'm' || (g % 100) as meter, date '2024-01-01' + g / 100 as day, -g as kwh from generate_series(19500, 20499) as g",
		"analyze marts.daily", "analyze marts.daily_delta",
	} {
		if err := a.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	key, cols := []string{"meter", "day"}, []string{"meter", "day", "kwh"}
	res, err := a.Query(ctx, s.NullKeyProbe(delta, key), 1)
	if err != nil || len(res.Rows) != 0 {
		t.Fatalf("NULL key probe on a delta without NULLs: %v rows, %v", res, err)
	}
	stmts, err := s.MergeNonNullKey(target, delta, cols, key)
	if err != nil || len(stmts) != 1 {
		t.Fatalf("MergeNonNullKey: %v %v", stmts, err)
	}
	plan, err := a.Query(ctx, "explain "+stmts[0], -1)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, row := range plan.Rows {
		fmt.Fprintln(&text, row[0])
	}
	if !strings.Contains(text.String(), "Hash") || strings.Contains(text.String(), "Nested Loop") {
		t.Errorf("merge of a delta without NULL keys is not hash-joined:\n%s", text.String())
	}

	// The same merge null-safely, into a copy: the tables end equal.
	if err := a.Exec(ctx, "create table marts.daily_copy as select * from marts.daily"); err != nil {
		t.Fatal(err)
	}
	nullSafe, err := a.Dialect().(warehouse.Statements).Merge(warehouse.Relation{Schema: "marts", Name: "daily_copy"}, delta, cols, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range append(stmts, nullSafe...) {
		if err := a.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	diff, err := a.Query(ctx, `select count(*) from (
		(select * from marts.daily except all select * from marts.daily_copy)
		union all
		(select * from marts.daily_copy except all select * from marts.daily)) as d`, -1)
	if err != nil {
		t.Fatal(err)
	}
	n, err := a.Query(ctx, "select count(*), sum(kwh) from marts.daily", -1)
	if err != nil {
		t.Fatal(err)
	}
	if diff.Rows[0][0] != int64(0) || n.Rows[0][0] != int64(20500) {
		t.Errorf("after the merges: %v rows differ, daily holds %v rows (want 20500)", diff.Rows[0][0], n.Rows[0][0])
	}
}

// With a NULL key in the delta the probe finds it, so the null-safe
// statements are used (the conformance suite checks their results).
func TestNullKeyProbeFindsNulls(t *testing.T) {
	ctx := context.Background()
	a := open(t, testenv.PostgresURL(t), 2)
	s := a.Dialect().(warehouse.NonNullKeyStatements)
	if err := a.Exec(ctx, "create table nk as select * from (values ('a', 1), ('b', null), ('c', 3)) as v(k1, k2)"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Query(ctx, s.NullKeyProbe(warehouse.Relation{Schema: "public", Name: "nk"}, []string{"k1", "k2"}), 1)
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("probe: %v rows, %v; want 1", res, err)
	}
}
