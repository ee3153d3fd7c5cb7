package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// The tests in this file cover warehouse.IncrementalStatements: the
// delete+insert and microbatch strategies, on_schema_change, dedupe_by and
// write-audit-publish. A dialect without it skips them.

func incrementalStatementsOf(t *testing.T, a warehouse.Adapter) warehouse.IncrementalStatements {
	t.Helper()
	is, ok := a.Dialect().(warehouse.IncrementalStatements)
	if !ok {
		t.Skipf("dialect %s does not implement warehouse.IncrementalStatements", a.Dialect().Name())
	}
	return is
}

func testIncrementalDeleteInsert(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	exec(t, a, "create schema marts")
	exec(t, a, mergeTable)
	exec(t, a, `insert into marts.m values
		('a', 1, 'x', 'keep'), (null, 2, 'y', 'keep'), (null, null, 'w', 'keep'), ('d', 4, 'old', 'keep')`)
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "marts", Name: "m"}, Strategy: "delete+insert", UniqueKey: []string{"k1", "k2"},
		Query: `select * from (values ('a', 1, 'X'), (null, 2, 'Y'), (null, null, 'W'), ('c', 3, 'new')) as d(k1, k2, v)`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("ApplyIncremental returned %d, want 4", n)
	}
	// Matched rows (NULL keys match NULL keys) are replaced whole, so the
	// column the delta lacks becomes NULL; the unmatched row d is kept.
	got := render(query(t, a, "select k1, k2, v, untouched from marts.m"))
	want := render([][]any{
		{"a", int64(1), "X", nil}, {nil, int64(2), "Y", nil}, {nil, nil, "W", nil},
		{"c", int64(3), "new", nil}, {"d", int64(4), "old", "keep"},
	})
	if got != want {
		t.Errorf("after delete+insert\n got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "marts", Name: "m"}, Strategy: "delete+insert", Query: "select 'a' as k1",
	}); err == nil || !strings.Contains(err.Error(), "needs a unique key") {
		t.Errorf("delete+insert without a key: %v", err)
	}
}

// readingsDaily is a small table with a date event column, one NULL.
func readingsDaily(t *testing.T, a warehouse.Adapter) warehouse.Relation {
	exec(t, a, "create schema marts")
	exec(t, a, "create table marts.daily (day date, meter text, kwh bigint)")
	exec(t, a, `insert into marts.daily values
		('2024-01-01', 'm1', 1), ('2024-01-02', 'm1', 2), ('2024-01-02', 'm2', 20), ('2024-01-03', 'm1', 3), (null, 'm9', 9)`)
	return warehouse.Relation{Schema: "marts", Name: "daily"}
}

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

func testIncrementalMicrobatch(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	rel := readingsDaily(t, a)
	// The batch for 2 January: the delta also holds rows for other days and
	// a NULL day, which the leakage guard drops.
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "microbatch",
		Window: &warehouse.Window{Column: "day", Start: day(2), End: day(3)},
		Query: `select cast(d as date) as day, meter, kwh from (values
			('2024-01-01', 'm1', 100), ('2024-01-02', 'm1', 200), ('2024-01-02', 'm3', 300),
			('2024-01-03', 'm1', 400), (null, 'm9', 900)) as v(d, meter, kwh)`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ApplyIncremental returned %d rows, want the 2 inside the window", n)
	}
	got := render(query(t, a, "select cast(day as text), meter, kwh from marts.daily"))
	want := render([][]any{
		{"2024-01-01", "m1", int64(1)}, {"2024-01-02", "m1", int64(200)}, {"2024-01-02", "m3", int64(300)},
		{"2024-01-03", "m1", int64(3)}, {nil, "m9", int64(9)},
	})
	if got != want {
		t.Errorf("after the 2 January batch (m2 gone, m1 replaced, m3 new, other days untouched)\n got:\n%s\nwant:\n%s", got, want)
	}
	// A timestamptz event column: the window compares instants in UTC.
	exec(t, a, "create table marts.events (event_at timestamptz, v bigint)")
	exec(t, a, "insert into marts.events values ('2024-01-01 23:59:59+00', 1), ('2024-01-02 00:00:00+00', 2), ('2024-01-02 23:30:00-01', 3)")
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "marts", Name: "events"}, Strategy: "microbatch",
		Window: &warehouse.Window{Column: "event_at", Start: day(2), End: day(3)},
		Query:  "select event_at, v * 10 as v from marts.events",
	}); err != nil {
		t.Fatal(err)
	}
	// 2024-01-02 23:30-01 is 2024-01-03 00:30 UTC: outside the window.
	if got := render(query(t, a, "select v from marts.events")); got != "int64:1\nint64:20\nint64:3" {
		t.Errorf("timestamptz window: %s", got)
	}
	for name, spec := range map[string]warehouse.IncrementalSpec{
		"no window":          {Relation: rel, Strategy: "microbatch", Query: "select * from marts.daily"},
		"window not allowed": {Relation: rel, Strategy: "append", Query: "select * from marts.daily", Window: &warehouse.Window{Column: "day", Start: day(1), End: day(2)}},
		"unknown column":     {Relation: rel, Strategy: "microbatch", Query: "select * from marts.daily", Window: &warehouse.Window{Column: "nope", Start: day(1), End: day(2)}},
	} {
		before := render(query(t, a, "select * from marts.daily"))
		if _, err := warehouse.ApplyIncremental(ctx, a, spec); err == nil {
			t.Errorf("%s: ApplyIncremental succeeded", name)
		}
		if after := render(query(t, a, "select * from marts.daily")); after != before {
			t.Errorf("%s: a refused batch changed the table", name)
		}
	}
}

// schemaTable is the table the on_schema_change tests evolve: the delta
// drops a, retypes b from integer to bigint and adds c.
const (
	schemaTable = "create table marts.s (id bigint, a text, b integer)"
	schemaDelta = "select cast(3 as bigint) as id, cast(5000000000 as bigint) as b, 'new' as c"
)

func testOnSchemaChange(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	rel := warehouse.Relation{Schema: "marts", Name: "s"}
	type want struct {
		columns string // name:type, engine types vary so only names and whether b is 64-bit
		rows    string
		err     string
	}
	for _, tc := range []struct {
		mode string
		want want
	}{
		{"ignore", want{columns: "id a b", err: "bigint does not fit"}},
		{"fail", want{columns: "id a b", err: "on_schema_change: fail: the model's columns no longer match the table (added c ("}},
		{"append_new_columns", want{columns: "id a b c", err: "bigint does not fit"}},
		{"sync_all_columns", want{columns: "id b c", rows: "int64:1 | int64:10 | NULL\nint64:3 | int64:5000000000 | string:new"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			ctx := ctxFor(t)
			exec(t, a, "drop schema if exists marts cascade")
			exec(t, a, "create schema marts")
			exec(t, a, schemaTable)
			exec(t, a, "insert into marts.s values (1, 'x', 10)")
			before := fingerprint(t, a, rel)
			_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
				Relation: rel, Strategy: "append", OnSchemaChange: tc.mode, Query: schemaDelta,
			})
			if tc.want.err != "" {
				// A value that does not fit the old integer column makes
				// every mode but sync_all_columns fail; nothing changes.
				if err == nil {
					t.Fatalf("succeeded, want an error")
				}
				if tc.want.err != "bigint does not fit" && !strings.Contains(err.Error(), tc.want.err) {
					t.Errorf("error %q lacks %q", err, tc.want.err)
				}
				if after := fingerprint(t, a, rel); after != before {
					t.Errorf("a failed run changed the table:\n%s\nwas\n%s", after, before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := columnNames(t, a, rel); got != tc.want.columns {
				t.Errorf("columns %q, want %q", got, tc.want.columns)
			}
			if got := render(query(t, a, "select * from marts.s")); got != tc.want.rows {
				t.Errorf("rows\n%s\nwant\n%s", got, tc.want.rows)
			}
		})
	}
	// With values that fit, append_new_columns adds c and keeps a.
	ctx := ctxFor(t)
	exec(t, a, "drop schema if exists marts cascade")
	exec(t, a, "create schema marts")
	exec(t, a, schemaTable)
	exec(t, a, "insert into marts.s values (1, 'x', 10)")
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "append", OnSchemaChange: "append_new_columns",
		Query: "select cast(2 as bigint) as id, cast(20 as bigint) as b, 'new' as c",
	}); err != nil {
		t.Fatal(err)
	}
	if got := columnNames(t, a, rel); got != "id a b c" {
		t.Errorf("append_new_columns: columns %q", got)
	}
	wantRows := "int64:1 | string:x | int64:10 | NULL\nint64:2 | NULL | int64:20 | string:new"
	if got := render(query(t, a, "select id, a, b, c from marts.s")); got != wantRows {
		t.Errorf("append_new_columns rows\n%s\nwant\n%s", got, wantRows)
	}
}

// testOnSchemaChangeDependentViews: sync_all_columns keeps views that still
// fit and refuses (changing nothing) when one uses a dropped column.
func testOnSchemaChangeDependentViews(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	rel := warehouse.Relation{Schema: "marts", Name: "s"}
	exec(t, a, "create schema marts")
	exec(t, a, schemaTable)
	exec(t, a, "insert into marts.s values (1, 'x', 10)")
	exec(t, a, "create view marts.uses_b as select id, b from marts.s")
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "append", OnSchemaChange: "sync_all_columns", Query: schemaDelta,
	}); err != nil {
		t.Fatal(err)
	}
	if got := render(query(t, a, "select id, b from marts.uses_b")); got != "int64:1 | int64:10\nint64:3 | int64:5000000000" {
		t.Errorf("view over the synced table: %s", got)
	}
	exec(t, a, "create view marts.uses_c as select id, c from marts.s")
	before := fingerprint(t, a, rel)
	_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "append", OnSchemaChange: "sync_all_columns", Query: "select cast(4 as bigint) as id, cast(1 as bigint) as b",
	})
	if a.Dialect().Name() == "postgres" {
		if err == nil || !strings.Contains(err.Error(), "uses_c") {
			t.Errorf("dropping a column a view uses: %v, want an error naming marts.uses_c", err)
		}
		if after := fingerprint(t, a, rel); after != before {
			t.Errorf("the refused change altered the table:\n%s\nwas\n%s", after, before)
		}
		return
	}
	// DuckDB binds views by name: the column goes, the view breaks when read.
	if err != nil {
		t.Fatal(err)
	}
}

func testDedupeBy(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	exec(t, a, "create schema marts")
	exec(t, a, mergeTable)
	exec(t, a, "insert into marts.m values ('a', 1, 'x', 'keep')")
	rel := warehouse.Relation{Schema: "marts", Name: "m"}
	dupes := `select * from (values ('a', 1, 'A1'), ('a', 1, 'A2'), (null, 7, 'first'), (null, 7, 'second'), (null, 7, 'a-third')) as d(k1, k2, v)`
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "merge", UniqueKey: []string{"k1", "k2"}, DedupeBy: "v desc", Query: dupes,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("deduped delta: %d rows, want 2", n)
	}
	want := "NULL | int64:7 | string:second\nstring:a | int64:1 | string:A2"
	if got := render(query(t, a, "select k1, k2, v from marts.m")); got != want {
		t.Errorf("after deduped merge\n%s\nwant\n%s", got, want)
	}
	if got := columnNames(t, a, rel); got != "k1 k2 v untouched" {
		t.Errorf("the dedupe helper column leaked into the table: %s", got)
	}
	// A full build dedupes (or refuses) the same way.
	full := warehouse.Relation{Schema: "marts", Name: "full"}
	if _, err := warehouse.BuildTableWith(ctx, a, full, dupes, warehouse.TableOptions{UniqueKey: []string{"k1", "k2"}}); err == nil ||
		!strings.Contains(err.Error(), "duplicate unique keys") {
		t.Errorf("full build with duplicate keys: %v", err)
	}
	if _, ok, _ := a.RelationKind(ctx, full); ok {
		t.Error("a refused full build created the table")
	}
	if n, err := warehouse.BuildTableWith(ctx, a, full, dupes, warehouse.TableOptions{UniqueKey: []string{"k1", "k2"}, DedupeBy: "v"}); err != nil || n != 2 {
		t.Fatalf("deduped full build: %d, %v", n, err)
	}
	if got := render(query(t, a, "select * from marts.full")); got != "NULL | int64:7 | string:a-third\nstring:a | int64:1 | string:A1" {
		t.Errorf("deduped full build: %s", got)
	}
}

// testWriteAuditPublish: a failing audit leaves the live table exactly as
// it was (for a table build and every incremental strategy); a passing
// one sees the prospective result and publishes it.
func testWriteAuditPublish(t *testing.T, a warehouse.Adapter) {
	is := incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	rel := readingsDaily(t, a)
	live := fingerprint(t, a, rel)
	var seen []string
	reject := func(ctx context.Context, staged warehouse.Relation) error {
		seen = append(seen, render(query(t, a, "select cast(day as text), meter, kwh from "+is.QuoteRelation(staged))))
		return errors.New("not_null_daily_day failed")
	}
	_, err := warehouse.BuildTableWith(ctx, a, rel, "select cast(null as date) as day, 'm1' as meter, cast(1 as bigint) as kwh", warehouse.TableOptions{Audit: reject})
	var audit *warehouse.AuditError
	if !errors.As(err, &audit) || !strings.Contains(err.Error(), "not_null_daily_day failed") {
		t.Fatalf("table build with a failing audit: %v, want an AuditError", err)
	}
	if got := fingerprint(t, a, rel); got != live {
		t.Fatalf("a failed audit changed the live table:\n%s\nwas\n%s", got, live)
	}
	if audit.Kept.Name == "" || count(t, a, is.QuoteRelation(audit.Kept)) != 1 {
		t.Errorf("the rejected build should be kept for inspection, got %v", audit.Kept)
	}
	window := &warehouse.Window{Column: "day", Start: day(2), End: day(3)}
	delta := "select cast('2024-01-02' as date) as day, 'm1' as meter, cast(-5 as bigint) as kwh"
	specs := map[string]warehouse.IncrementalSpec{
		"append":        {Strategy: "append"},
		"merge":         {Strategy: "merge", UniqueKey: []string{"day", "meter"}},
		"delete+insert": {Strategy: "delete+insert", UniqueKey: []string{"day", "meter"}},
		"microbatch":    {Strategy: "microbatch", Window: window},
	}
	// What each strategy's audit sees: the table after the run.
	prospects := map[string]string{
		"append":        "NULL m9 9, 2024-01-01 m1 1, 2024-01-02 m1 -5, 2024-01-02 m1 2, 2024-01-02 m2 20, 2024-01-03 m1 3",
		"merge":         "NULL m9 9, 2024-01-01 m1 1, 2024-01-02 m1 -5, 2024-01-02 m2 20, 2024-01-03 m1 3",
		"delete+insert": "NULL m9 9, 2024-01-01 m1 1, 2024-01-02 m1 -5, 2024-01-02 m2 20, 2024-01-03 m1 3",
		"microbatch":    "NULL m9 9, 2024-01-01 m1 1, 2024-01-02 m1 -5, 2024-01-03 m1 3",
	}
	for name, spec := range specs {
		spec.Relation, spec.Query, spec.Audit = rel, delta, reject
		seen = nil
		_, err := warehouse.ApplyIncremental(ctx, a, spec)
		if !errors.As(err, &audit) {
			t.Errorf("%s with a failing audit: %v, want an AuditError", name, err)
			continue
		}
		if got := fingerprint(t, a, rel); got != live {
			t.Errorf("%s: a failed audit changed the live table:\n%s\nwas\n%s", name, got, live)
		}
		if len(seen) != 1 || compact(seen[0]) != prospects[name] {
			t.Errorf("%s: the audit saw\n%q\nwant\n%q", name, seen, prospects[name])
		}
		if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: rel.Schema, Name: rel.Name + warehouse.SuffixAudit}); ok {
			t.Errorf("%s: the audit view was left behind", name)
		}
	}
	// A passing audit publishes.
	pass := func(context.Context, warehouse.Relation) error { return nil }
	spec := specs["microbatch"]
	spec.Relation, spec.Query, spec.Audit = rel, delta, pass
	if _, err := warehouse.ApplyIncremental(ctx, a, spec); err != nil {
		t.Fatal(err)
	}
	if got := compact(render(query(t, a, "select cast(day as text), meter, kwh from marts.daily"))); got != prospects["microbatch"] {
		t.Errorf("after a passing audit: %s", got)
	}
	if _, err := warehouse.BuildTableWith(ctx, a, rel, "select cast('2024-02-01' as date) as day, 'm1' as meter, cast(1 as bigint) as kwh",
		warehouse.TableOptions{Audit: pass}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, a, "marts.daily"); got != 1 {
		t.Errorf("after a passing table audit: %d rows, want 1", got)
	}
}

// testInTxRollsBack: an InTx error undoes the swap or the delta.
func testInTxRollsBack(t *testing.T, a warehouse.Adapter) {
	incrementalStatementsOf(t, a)
	ctx := ctxFor(t)
	rel := readingsDaily(t, a)
	live := fingerprint(t, a, rel)
	boom := errors.New("state write failed")
	var inTxSaw int64
	fail := func(ctx context.Context, tx warehouse.Conn, rows int64) error {
		if rows != 1 {
			t.Errorf("InTx was told %d rows, want 1", rows)
		}
		inTxSaw = count(t, tx, "marts.daily")
		return boom
	}
	if _, err := warehouse.BuildTableWith(ctx, a, rel, "select cast('2024-02-01' as date) as day, 'm' as meter, cast(1 as bigint) as kwh",
		warehouse.TableOptions{InTx: fail}); !errors.Is(err, boom) {
		t.Errorf("BuildTableWith: %v, want the InTx error", err)
	}
	if inTxSaw != 1 {
		t.Errorf("InTx saw %d rows, want the new table's 1", inTxSaw)
	}
	if _, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "microbatch", Window: &warehouse.Window{Column: "day", Start: day(1), End: day(2)},
		Query: "select cast('2024-01-01' as date) as day, 'm' as meter, cast(7 as bigint) as kwh", InTx: fail,
	}); !errors.Is(err, boom) {
		t.Errorf("ApplyIncremental: %v, want the InTx error", err)
	}
	if got := fingerprint(t, a, rel); got != live {
		t.Errorf("an InTx error left changes:\n%s\nwas\n%s", got, live)
	}
	// A window on a full build.
	n, err := warehouse.BuildTableWith(ctx, a, rel, "select * from marts.daily", warehouse.TableOptions{
		Window: &warehouse.Window{Column: "day", Start: day(2), End: day(4)}})
	if err != nil || n != 3 {
		t.Errorf("windowed full build: %d rows, %v; want the 3 rows of 2 and 3 January", n, err)
	}
}

// fingerprint describes rel exactly: its columns with types and every row
// (sorted), and on PostgreSQL its storage identity (OID, relfilenode) and
// each row's xmin, so a rewrite or an update shows even when the values
// come out equal.
func fingerprint(t *testing.T, a warehouse.Adapter, rel warehouse.Relation) string {
	t.Helper()
	cols, err := a.Columns(ctxFor(t), rel)
	if err != nil {
		t.Fatal(err)
	}
	s := statementsOf(t, a)
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%s %s\n", c.Name, c.Type)
	}
	extra := ""
	if a.Dialect().Name() == "postgres" {
		extra = ", xmin::text as cdw_xmin, ctid::text as cdw_ctid"
		id := query(t, a, "select oid::bigint, relfilenode::bigint from pg_class where oid = to_regclass($1)", s.QuoteRelation(rel))
		fmt.Fprintf(&b, "identity %v\n", id)
	}
	b.WriteString(render(query(t, a, "select *"+extra+" from "+s.QuoteRelation(rel))))
	return b.String()
}

func columnNames(t *testing.T, a warehouse.Adapter, rel warehouse.Relation) string {
	t.Helper()
	cols, err := a.Columns(ctxFor(t), rel)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, " ")
}

// compact turns render output into "a b c, d e f" without type tags.
func compact(rendered string) string {
	lines := strings.Split(rendered, "\n")
	for i, l := range lines {
		parts := strings.Split(l, " | ")
		for j, p := range parts {
			if _, v, ok := strings.Cut(p, ":"); ok {
				parts[j] = v
			}
		}
		lines[i] = strings.Join(parts, " ")
	}
	return strings.Join(lines, ", ")
}
