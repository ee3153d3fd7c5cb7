package warehousetest

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// series selects ids 1..n (plus a label column) portably.
func series(n int, label string) string {
	return fmt.Sprintf("select x as id, '%s' as label from generate_series(1, %d) as g(x)", label, n)
}

func testAwkwardIdentifiers(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	s := statementsOf(t, a)
	rel := warehouse.Relation{Schema: `Odd "Schema" x`, Name: `Mixed Case "T"`}
	col := `Reading "Value"`
	n, err := warehouse.BuildTable(ctx, a, rel, "select 1 as "+s.QuoteIdent(col)+", 'a' as "+s.QuoteIdent("Label"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("BuildTable returned %d rows, want 1", n)
	}
	cols, err := a.Columns(ctx, rel)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || cols[0].Name != col || cols[1].Name != "Label" {
		t.Errorf("columns %v, want [%s Label] spelled as created", cols, col)
	}
	if kind, ok, err := a.RelationKind(ctx, rel); err != nil || !ok || kind != warehouse.KindTable {
		t.Errorf("RelationKind = %q, %v, %v", kind, ok, err)
	}
	loaded, err := a.BulkLoad(ctx, rel, []string{"Label", col}, &rowsSource{rows: [][]any{{"b", int64(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	if loaded != 1 {
		t.Errorf("loaded %d, want 1", loaded)
	}
	view := warehouse.Relation{Schema: rel.Schema, Name: `a 'view' "too"`}
	if err := warehouse.BuildView(ctx, a, view, "select * from "+s.QuoteRelation(rel)+" where "+s.QuoteIdent("Label")+" = "+s.QuoteString("it's")); err != nil {
		t.Fatal(err)
	}
	if got := count(t, a, s.QuoteRelation(view)); got != 0 {
		t.Errorf("view over awkward table: %d rows, want 0", got)
	}
	if _, err := warehouse.BuildTable(ctx, a, rel, "select 3 as "+s.QuoteIdent(col)+", 'c' as "+s.QuoteIdent("Label")); err != nil {
		t.Fatalf("rebuild of awkward table: %v", err)
	}
	if got := render(query(t, a, "select "+s.QuoteIdent(col)+" from "+s.QuoteRelation(rel))); got != "int64:3" {
		t.Errorf("after rebuild: %s", got)
	}
	d, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
		Relation: rel, Strategy: "merge", UniqueKey: []string{"Label"},
		Query: "select 4 as " + s.QuoteIdent(col) + ", 'c' as " + s.QuoteIdent("Label"),
	})
	if err != nil || d != 1 {
		t.Fatalf("merge into awkward table: %d, %v", d, err)
	}
	if got := render(query(t, a, "select "+s.QuoteIdent(col)+" from "+s.QuoteRelation(rel))); got != "int64:4" {
		t.Errorf("after merge: %s", got)
	}
}

func testBuildViewReplace(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	v := warehouse.Relation{Schema: "marts", Name: "v"}
	steps := []struct{ query, want, wantDep string }{
		{"select 1 as a", "int64:1", "int64:11"},
		{"select 1 as a, 2 as b", "int64:1 | int64:2", "int64:11"},    // a column added
		{"select 'x' as c, 2 as a", "string:x | int64:2", "int64:21"}, // columns reordered, renamed, retyped
		{"select 5 as a", "int64:5", "int64:51"},                      // columns removed
	}
	for i, st := range steps {
		if err := warehouse.BuildView(ctx, a, v, st.query); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := render(query(t, a, "select * from marts.v")); got != st.want {
			t.Errorf("step %d: view returns %s, want %s", i, got, st.want)
		}
		if i == 0 {
			// Dependants, one through another, must survive every replacement.
			exec(t, a, "create view marts.dep as select a * 10 as a10 from marts.v")
			exec(t, a, "create view marts.dep2 as select a10 + 1 as a11 from marts.dep")
		}
		if got := render(query(t, a, "select a11 from marts.dep2")); got != st.wantDep {
			t.Errorf("step %d: view of view returns %s, want %s", i, got, st.wantDep)
		}
	}
	// A replacement without the column the dependants need is refused
	// where views are bound (PostgreSQL), naming the dependant.
	if _, _, binds := statementsOf(t, a).DependentViews(v); binds {
		err := warehouse.BuildView(ctx, a, v, "select 1 as z")
		if err == nil || !strings.Contains(err.Error(), "dep") {
			t.Errorf("replacing the view without column a: %v, want an error naming marts.dep", err)
		}
		if got := render(query(t, a, "select a11 from marts.dep2")); got != "int64:51" {
			t.Errorf("after the refused replacement the view of view returns %s", got)
		}
	}
}

func testBuildViewOverTable(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	rel := warehouse.Relation{Schema: "marts", Name: "m"}
	if _, err := warehouse.BuildTable(ctx, a, rel, series(3, "t")); err != nil {
		t.Fatal(err)
	}
	if err := warehouse.BuildView(ctx, a, rel, series(2, "v")); err != nil {
		t.Fatalf("view replacing a table: %v", err)
	}
	if kind, _, _ := a.RelationKind(ctx, rel); kind != warehouse.KindView {
		t.Errorf("after BuildView the relation is a %q", kind)
	}
	if n, err := warehouse.BuildTable(ctx, a, rel, series(4, "t")); err != nil || n != 4 {
		t.Fatalf("table replacing a view: %d, %v", n, err)
	}
	if kind, _, _ := a.RelationKind(ctx, rel); kind != warehouse.KindTable {
		t.Errorf("after BuildTable the relation is a %q", kind)
	}
	if err := warehouse.BuildView(ctx, a, rel, "select from where"); err == nil {
		t.Error("BuildView with invalid SQL succeeded")
	}
	if got := count(t, a, "marts.m"); got != 4 {
		t.Errorf("failed BuildView changed the table: %d rows, want 4", got)
	}
}

func testSwapUnderReader(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	rel := warehouse.Relation{Schema: "marts", Name: "swapped"}
	const rows = 20000
	if _, err := warehouse.BuildTable(ctx, a, rel, series(rows, "gen0")); err != nil {
		t.Fatal(err)
	}
	var (
		stop    atomic.Bool
		reads   atomic.Int64
		readErr = make(chan error, 1)
		wg      sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Read until told to stop, and at least once after the last swap.
		for {
			last := stop.Load()
			res, err := a.Query(ctx, "select count(*), count(distinct label) from marts.swapped", -1)
			if err == nil && (res.Rows[0][0] != int64(rows) || res.Rows[0][1] != int64(1)) {
				err = fmt.Errorf("reader saw count %v with %v labels, want %d rows of one build", res.Rows[0][0], res.Rows[0][1], rows)
			}
			if err != nil {
				readErr <- err
				return
			}
			reads.Add(1)
			if last {
				return
			}
		}
	}()
	for i := 1; i <= 8; i++ {
		n, err := warehouse.BuildTable(ctx, a, rel, series(rows, fmt.Sprintf("gen%d", i)))
		if err != nil {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("rebuild %d: %v", i, err)
		}
		if n != rows {
			t.Errorf("rebuild %d returned %d rows", i, n)
		}
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-readErr:
		t.Fatalf("concurrent reader: %v", err)
	default:
	}
	if got := render(query(t, a, "select distinct label from marts.swapped")); got != "string:gen8" {
		t.Errorf("after rebuilds the table holds %s, want gen8", got)
	}
	t.Logf("%d concurrent reads", reads.Load())
	for _, suffix := range []string{warehouse.SuffixNew, warehouse.SuffixOld} {
		if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "marts", Name: "swapped" + suffix}); ok {
			t.Errorf("temporary relation swapped%s left behind", suffix)
		}
	}
}

func testDependentViews(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	s := statementsOf(t, a)
	rel := warehouse.Relation{Schema: "marts", Name: "base"}
	if _, err := warehouse.BuildTable(ctx, a, rel, series(3, "one")); err != nil {
		t.Fatal(err)
	}
	exec(t, a, "create schema other")
	exec(t, a, "create view marts.v1 as select id, label from marts.base where id > 1")
	exec(t, a, "create view other.v2 as select count(*) as n from marts.v1")
	exec(t, a, "create view marts.v3 as select v1.id, v2.n from marts.v1 cross join other.v2")
	// A new column and more rows: dependants survive and see the new data.
	if _, err := warehouse.BuildTable(ctx, a, rel, "select x as id, 'two' as label, x * 2 as doubled from generate_series(1, 5) as g(x)"); err != nil {
		t.Fatalf("rebuild with dependent views: %v", err)
	}
	if got := render(query(t, a, "select n from other.v2")); got != "int64:4" {
		t.Errorf("view of view after rebuild returns %s, want 4", got)
	}
	if got := count(t, a, "marts.v3"); got != 4 {
		t.Errorf("marts.v3 after rebuild: %d rows, want 4", got)
	}
	// A new table without the column v1 needs.
	_, err := warehouse.BuildTable(ctx, a, rel, "select x as id from generate_series(1, 7) as g(x)")
	if _, _, binds := s.DependentViews(rel); binds {
		if err == nil {
			t.Fatal("rebuild dropping a column a dependent view needs succeeded")
		}
		if !strings.Contains(err.Error(), "v1") {
			t.Errorf("error %q does not name the view marts.v1", err)
		}
		if got := count(t, a, "marts.base"); got != 5 {
			t.Errorf("after the failed swap the live table has %d rows, want the old 5", got)
		}
		if got := render(query(t, a, "select n from other.v2")); got != "int64:4" {
			t.Errorf("after the failed swap other.v2 returns %s, want 4", got)
		}
		if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "marts", Name: "base" + warehouse.SuffixNew}); ok {
			t.Error("the new table was left behind after the failed swap")
		}
	} else {
		// Views bind by name at query time: the swap succeeds and the view
		// fails only when queried.
		if err != nil {
			t.Fatalf("rebuild on an engine with late-bound views: %v", err)
		}
		if _, err := a.Query(ctx, "select * from marts.v1", -1); err == nil {
			t.Error("marts.v1 still answers although its column is gone")
		}
	}
}

func testLongName(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	s := statementsOf(t, a)
	name := strings.Repeat("long_model_name_", 4)[:s.MaxIdentifierLength()-2]
	rel := warehouse.Relation{Schema: "marts", Name: name}
	for i := 1; i <= 2; i++ {
		if n, err := warehouse.BuildTable(ctx, a, rel, series(i, "x")); err != nil || n != int64(i) {
			t.Fatalf("build %d of a %d-byte name: %d, %v", i, len(name), n, err)
		}
	}
	if d, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: rel, Strategy: "append", Query: series(1, "y")}); err != nil || d != 1 {
		t.Fatalf("incremental on a long name: %d, %v", d, err)
	}
	if got := count(t, a, s.QuoteRelation(rel)); got != 3 {
		t.Errorf("%d rows, want 3", got)
	}
}

func testConcurrentBuilds(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	const workers = 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*10)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				// Every worker starts in the same new schema.
				table := warehouse.Relation{Schema: fmt.Sprintf("fresh_%d", round), Name: fmt.Sprintf("t%d", w)}
				view := warehouse.Relation{Schema: table.Schema, Name: fmt.Sprintf("v%d", w)}
				if _, err := warehouse.BuildTable(ctx, a, table, series(1000+w, "x")); err != nil {
					errs <- fmt.Errorf("worker %d table: %w", w, err)
				}
				if err := warehouse.BuildView(ctx, a, view, fmt.Sprintf("select count(*) as n from fresh_%d.t%d", round, w)); err != nil {
					errs <- fmt.Errorf("worker %d view: %w", w, err)
				}
				if _, err := warehouse.BuildTable(ctx, a, table, series(2000+w, "y")); err != nil {
					errs <- fmt.Errorf("worker %d rebuild: %w", w, err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := 0; w < workers; w++ {
		if got := render(query(t, a, fmt.Sprintf("select n from fresh_2.v%d", w))); got != fmt.Sprintf("int64:%d", 2000+w) {
			t.Errorf("fresh_2.v%d = %s", w, got)
		}
	}
}
