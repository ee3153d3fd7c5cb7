package warehousetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// allTypesDDL has one column per extract.Type, in the migrations' portable
// SQL.
const allTypesDDL = `create table all_types (
    t  text,
    i  bigint,
    f  double precision,
    b  boolean,
    ts timestamp,
    tz timestamptz
)`

func testBulkLoadEveryType(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, allTypesDDL)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("Europe/London: %v", err)
	}
	plus2 := time.FixedZone("+02", 2*3600)
	rows := [][]any{
		// The UK clock-change hour: a wall clock that does not exist in
		// London still round-trips in a timestamp column.
		{"0110", int64(-42), 1.25, true, time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC), time.Date(2024, 7, 1, 12, 0, 0, 0, london)},
		// A non-UTC time.Time for a timestamp column stores its UTC wall
		// clock (12:00 at +02 is 10:00 UTC), identically on every engine.
		{"it's \"quoted\"\nnewline", int64(9007199254740993), -0.0001, false, time.Date(2024, 1, 1, 12, 0, 0, 123456000, plus2), time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{nil, nil, nil, nil, nil, nil},
	}
	n, err := a.BulkLoad(ctx, warehouse.Relation{Name: "all_types"}, []string{"t", "i", "f", "b", "ts", "tz"}, &rowsSource{rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("BulkLoad returned %d, want 3", n)
	}
	got := render(query(t, a, "select t, i, f, b, ts, tz from all_types"))
	want := render([][]any{
		{"0110", int64(-42), 1.25, true, time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC), time.Date(2024, 7, 1, 11, 0, 0, 0, time.UTC)},
		{"it's \"quoted\"\nnewline", int64(9007199254740993), -0.0001, false, time.Date(2024, 1, 1, 10, 0, 0, 123456000, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{nil, nil, nil, nil, nil, nil},
	})
	if got != want {
		t.Errorf("loaded rows\n got:\n%s\nwant:\n%s", got, want)
	}
	// The stored wall clock is what SQL sees too, not just what comes back.
	if got := render(query(t, a, "select cast(ts as text) from all_types where t = '0110'")); got != "string:2024-03-31 01:30:00" {
		t.Errorf("timestamp as text in SQL: %s", got)
	}
}

func testBulkLoadColumnSubset(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create table t (a text, b bigint, c text, d double precision)")
	n, err := a.BulkLoad(ctx, warehouse.Relation{Name: "t"}, []string{"c", "a"}, &rowsSource{rows: [][]any{{"c1", "a1"}, {nil, "a2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("loaded %d, want 2", n)
	}
	got := render(query(t, a, "select a, b, c, d from t"))
	if want := "string:a1 | NULL | string:c1 | NULL\nstring:a2 | NULL | NULL | NULL"; got != want {
		t.Errorf("subset load\n got:\n%s\nwant:\n%s", got, want)
	}
}

func testBulkLoadRejects(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, "create table t (id bigint not null, name text)")
	rel := warehouse.Relation{Name: "t"}
	cases := []struct {
		name string
		rel  warehouse.Relation
		cols []string
		src  warehouse.RowSource
	}{
		{"unknown column", rel, []string{"id", "nope"}, &rowsSource{rows: [][]any{{int64(1), "x"}}}},
		{"missing table", warehouse.Relation{Name: "missing"}, []string{"id"}, &rowsSource{rows: [][]any{{int64(1)}}}},
		{"wrong value count", rel, []string{"id", "name"}, &rowsSource{rows: [][]any{{int64(1), "a"}, {int64(2)}}}},
		{"NULL into NOT NULL after good rows", rel, []string{"id", "name"}, readingsLikeThenNull(5000)},
		{"source error after rows", rel, []string{"id", "name"}, &rowsSource{rows: [][]any{{int64(1), "a"}}, err: errors.New("disk on fire")}},
	}
	for _, tc := range cases {
		if _, err := a.BulkLoad(ctx, tc.rel, tc.cols, tc.src); err == nil {
			t.Errorf("%s: BulkLoad succeeded", tc.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	src := readingsLike(100000)
	src.onRow = func(i int64) {
		if i == 50000 {
			cancel()
		}
	}
	if _, err := a.BulkLoad(cctx, rel, []string{"id", "name"}, src); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled BulkLoad returned %v, want context.Canceled", err)
	}
	if n := count(t, a, "t"); n != 0 {
		t.Errorf("%d rows remain after failed loads, want 0", n)
	}
}

func readingsLikeThenNull(n int64) *genSource {
	return &genSource{n: n, row: make([]any, 2), gen: func(i int64, row []any) {
		row[0] = i
		if i == n {
			row[0] = nil
		}
		row[1] = "row"
	}}
}

func testBulkLoadMany(t *testing.T, a warehouse.Adapter) {
	ctx := ctxFor(t)
	exec(t, a, ReadingsDDL)
	const rows = 200000
	n, err := a.BulkLoad(ctx, warehouse.Relation{Name: "readings"},
		[]string{"mpan_core", "register_id", "read_at", "reading_value"}, readingRows(rows))
	if err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Errorf("BulkLoad returned %d, want %d", n, rows)
	}
	if got := count(t, a, "readings"); got != rows {
		t.Errorf("table holds %d rows, want %d", got, rows)
	}
	last := render(query(t, a, "select max(read_at), sum(reading_value) from readings"))
	want := render([][]any{{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(rows * 30 * time.Minute), float64(rows) * float64(rows+1) / 4}})
	if last != want {
		t.Errorf("aggregate over loaded rows\n got %s\nwant %s", last, want)
	}
}
