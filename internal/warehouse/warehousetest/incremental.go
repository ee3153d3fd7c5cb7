package warehousetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

func testIncrementalAppend(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	rel := warehouse.Relation{Schema: "marts", Name: "events"}
	if _, err := warehouse.BuildTable(ctx, a, rel, "select 1 as id, 'a' as label"); err != nil {
		t.Fatal(err)
	}
	// The delta has a column the table lacks and lists columns in another
	// order: only the table's columns are inserted, by name.
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "append",
		Query: "select 'b' as label, 'ignored' as extra, 2 as id union all select 'c', 'ignored', 3",
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("ApplyIncremental returned %d, want 2", n)
	}
	got := render(query(t, a, "select id, label from marts.events"))
	if want := "int64:1 | string:a\nint64:2 | string:b\nint64:3 | string:c"; got != want {
		t.Errorf("after append\n got:\n%s\nwant:\n%s", got, want)
	}
	// An empty delta changes nothing.
	if n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "append", Query: "select id, label from marts.events where false",
	}); err != nil || n != 0 {
		t.Errorf("empty delta: %d, %v", n, err)
	}
	if got := count(t, a, "marts.events"); got != 3 {
		t.Errorf("after empty delta: %d rows, want 3", got)
	}
	if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "marts", Name: "events" + warehouse.SuffixDelta}); ok {
		t.Error("the delta table was left behind")
	}
}

// mergeTable holds nullable keys: (k1, k2) compare null-safely.
const mergeTable = `create table marts.m (k1 text, k2 bigint, v text, untouched text)`

func testIncrementalMerge(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create schema marts")
	exec(t, a, mergeTable)
	exec(t, a, `insert into marts.m values
		('a', 1, 'x', 'keep'), (null, 2, 'y', 'keep'), ('b', null, 'z', 'keep'), (null, null, 'w', 'keep'), ('d', 4, 'old', 'keep')`)
	n, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: warehouse.Relation{Schema: "marts", Name: "m"}, Strategy: "merge", UniqueKey: []string{"k1", "k2"},
		Query: `select * from (values
			('a', 1, 'X'), (null, 2, 'Y'), ('b', null, 'Z'), (null, null, 'W'), ('c', 3, 'new')
		) as d(k1, k2, v)`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("ApplyIncremental returned %d, want 5", n)
	}
	got := render(query(t, a, "select k1, k2, v from marts.m"))
	want := render([][]any{
		{"a", int64(1), "X"},
		{nil, int64(2), "Y"},
		{"b", nil, "Z"},
		{nil, nil, "W"},
		{"d", int64(4), "old"},
		{"c", int64(3), "new"},
	})
	if got != want {
		t.Errorf("after merge (NULL keys must match NULL keys)\n got:\n%s\nwant:\n%s", got, want)
	}
	// A table column the delta lacks: MERGE updates only the delta's
	// columns; delete + insert replaces matched rows whole. Row d was not
	// matched and row c is new, so both are left out.
	kept := "keep"
	if !usesMergeStatement(t, a) {
		kept = "NULL"
	}
	got = render(query(t, a, "select coalesce(untouched, 'NULL') from marts.m where coalesce(k1, '') not in ('c', 'd') group by 1"))
	if want := "string:" + kept; got != want {
		t.Errorf("column missing from the delta after merge: %s, want %s", got, want)
	}
}

// usesMergeStatement reports whether the dialect merges with one MERGE
// statement rather than delete + insert.
func usesMergeStatement(t *testing.T, a warehouse.Adapter) bool {
	s := statementsOf(t, a)
	r := warehouse.Relation{Name: "x"}
	stmts, err := s.Merge(r, r, []string{"k", "v"}, []string{"k"})
	if err != nil {
		t.Fatal(err)
	}
	return len(stmts) == 1
}

func testIncrementalDuplicates(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create schema marts")
	exec(t, a, mergeTable)
	exec(t, a, "insert into marts.m values ('a', 1, 'x', 'keep')")
	before := render(query(t, a, "select * from marts.m"))
	for _, strategy := range []string{"merge", "append"} {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
			Relation: warehouse.Relation{Schema: "marts", Name: "m"}, Strategy: strategy, UniqueKey: []string{"k1", "k2"},
			Query: `select * from (values ('a', 1, 'X'), (null, 7, 'first'), (null, 7, 'second')) as d(k1, k2, v)`,
		})
		if err == nil {
			t.Fatalf("%s: a delta with a duplicate key was applied", strategy)
		}
		if !strings.Contains(err.Error(), "k1=NULL") || !strings.Contains(err.Error(), "k2=7") {
			t.Errorf("%s: error %q does not name the duplicate key (k1=NULL, k2=7)", strategy, err)
		}
		if after := render(query(t, a, "select * from marts.m")); after != before {
			t.Errorf("%s: refused delta changed the table:\n%s", strategy, after)
		}
		if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "marts", Name: "m" + warehouse.SuffixDelta}); ok {
			t.Errorf("%s: the refused delta was left behind", strategy)
		}
	}
}

func testIncrementalErrors(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create schema marts")
	exec(t, a, mergeTable)
	exec(t, a, "create view marts.v as select 1 as k1")
	m := warehouse.Relation{Schema: "marts", Name: "m"}
	_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: warehouse.Relation{Schema: "marts", Name: "missing"}, Strategy: "append", Query: "select 1 as k2"})
	if !errors.Is(err, warehouse.ErrRelationNotFound) {
		t.Errorf("missing relation: %v, want ErrRelationNotFound", err)
	}
	for name, spec := range map[string]warehouse.IncrementalSpec{
		"view target":       {Relation: warehouse.Relation{Schema: "marts", Name: "v"}, Strategy: "append", Query: "select 1 as k1"},
		"unknown strategy":  {Relation: m, Strategy: "upsert", Query: "select 1 as k2"},
		"merge without key": {Relation: m, Strategy: "merge", Query: "select 1 as k2"},
		"key not in delta":  {Relation: m, Strategy: "merge", UniqueKey: []string{"k1"}, Query: "select 1 as k2"},
		"key not in table":  {Relation: m, Strategy: "merge", UniqueKey: []string{"nope"}, Query: "select 1 as nope, 2 as k2"},
		"no shared columns": {Relation: m, Strategy: "append", Query: "select 1 as other"},
		"invalid delta SQL": {Relation: m, Strategy: "append", Query: "select from where"},
	} {
		if _, err := warehouse.ApplyIncremental(ctx, a, spec); err == nil {
			t.Errorf("%s: ApplyIncremental succeeded", name)
		}
	}
	if got := count(t, a, "marts.m"); got != 0 {
		t.Errorf("failed incrementals left %d rows", got)
	}
	if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "marts", Name: "m" + warehouse.SuffixDelta}); ok {
		t.Error("a failed incremental left its delta behind")
	}
}
