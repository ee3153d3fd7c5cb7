package seed

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func TestColumnTypes(t *testing.T) {
	cases := []struct {
		name     string
		header   []string
		declared map[string]string
		want     []Column
		err      string
	}{
		{"all text by default", []string{"code", "label"}, nil,
			[]Column{{Name: "code", Type: "text"}, {Name: "label", Type: "text"}}, ""},
		{"declared types win", []string{"code", "factor", "since"}, map[string]string{"factor": "numeric(6,3)", "since": "date"},
			[]Column{{Name: "code", Type: "text"}, {Name: "factor", Type: "numeric(6,3)", Declared: true}, {Name: "since", Type: "date", Declared: true}}, ""},
		{"unknown declared column", []string{"code"}, map[string]string{"Code": "bigint", "kind": "text"},
			nil, `column_types names "Code", which is not a column of the file (columns: code); column_types names "kind"`},
		{"repeated header name", []string{"a", "A"}, nil, nil, `column "A" appears twice in the header (also as "a")`},
		{"empty header name", []string{"a", " "}, nil, nil, "column 2 of the header has no name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ColumnTypes(c.header, c.declared)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want it to contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

const readingTypes = "code,description,factor,since,active\n" +
	"007,Customer own read,1.50,2023-01-01,true\n" +
	"A, leading space kept ,,2023-02-01,false\n" +
	"SAT,\"\",0.25,2023-03-01,\n"

func spec(schema, csv string, cols []Column) Spec {
	return Spec{
		Relation: warehouse.Relation{Schema: schema, Name: "reading_types"},
		Columns:  cols, Path: "seeds/reading_types.csv",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil },
	}
}

func typedColumns(t *testing.T, csv string) []Column {
	t.Helper()
	header, err := ReadHeader(strings.NewReader(csv), 0)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := ColumnTypes(header, map[string]string{"factor": "numeric(6,2)", "since": "date", "active": "boolean"})
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestLoad loads a seed on each engine and reads it back: text exactly as
// written (leading zeros, spaces, "SAT"), NULL only for unquoted empty
// fields, declared types cast by the warehouse.
func TestLoad(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		cols := typedColumns(t, readingTypes)
		n, err := Load(ctx, a, spec("ref_data", readingTypes, cols))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("loaded %d rows, want 3", n)
		}
		res := enginetest.Query(t, a, `select code, description, factor, since, active from ref_data.reading_types order by since`)
		day := func(m time.Month) time.Time { return time.Date(2023, m, 1, 0, 0, 0, 0, time.UTC) }
		want := [][]any{
			{"007", "Customer own read", "1.50", day(1), true},
			{"A", " leading space kept ", nil, day(2), false},
			{"SAT", "", "0.25", day(3), nil},
		}
		if !reflect.DeepEqual(res.Rows, want) {
			t.Errorf("rows:\n got %#v\nwant %#v", res.Rows, want)
		}
		// Staging is gone.
		if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "ref_data", Name: "reading_types" + stagingSuffix}); ok {
			t.Error("staging table left behind")
		}

		// Loading again replaces the rows.
		again := "code,description,factor,since,active\n9,nine,9.00,2024-01-01,true\n"
		if n, err := Load(ctx, a, spec("ref_data", again, cols)); err != nil || n != 1 {
			t.Fatalf("reload: %d rows, %v", n, err)
		}
		if got := enginetest.Query(t, a, `select count(*) from ref_data.reading_types`).Rows[0][0]; fmt.Sprint(got) != "1" {
			t.Errorf("after reload: %v rows, want 1", got)
		}
	})
}

// TestLoadFailuresLeaveTheTable: a bad value, a short record or a changed
// header fails the load, names the line where it can, and leaves the
// previous table and no staging table.
func TestLoadFailuresLeaveTheTable(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		cols := typedColumns(t, readingTypes)
		if _, err := Load(ctx, a, spec("ref_data", readingTypes, cols)); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, csv, msg string
		}{
			{"value does not fit its type", "code,description,factor,since,active\nX,x,lots,2023-01-01,true\n", "column_types"},
			{"the bad value is found by its line", "code,description,factor,since,active\nA,a,1.5,2023-01-01,true\nB,b,2,2023-01-02,false\nC,c,3,2023-01-31,true\nD,d,4,2023-02-30,true\nE,e,5,2023-03-01,true\n",
				`line 5: column since: "2023-02-30" is not a date`},
			{"short record", "code,description,factor,since,active\nX,x,1.00\n", "line 2: 3 fields, the header has 5"},
			{"header changed", "code,descr,factor,since,active\n", "line 1: the header is now"},
			{"broken csv", "code,description,factor,since,active\nX,\"x,1.00,2023-01-01,true\n", "line 2: quoted field is never closed"},
		}
		for _, c := range cases {
			_, err := Load(ctx, a, spec("ref_data", c.csv, cols))
			if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "seeds/reading_types.csv") {
				t.Errorf("%s: err = %v, want it to name the file and contain %q", c.name, err, c.msg)
			}
			if got := enginetest.Query(t, a, `select count(*) from ref_data.reading_types`).Rows[0][0]; fmt.Sprint(got) != "3" {
				t.Errorf("%s: the table now has %v rows, want the previous 3", c.name, got)
			}
			if _, ok, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "ref_data", Name: "reading_types" + stagingSuffix}); ok {
				t.Errorf("%s: staging table left behind", c.name)
			}
		}
	})
}

// TestLoadManyRows streams a file larger than one appender chunk / COPY
// buffer and checks every row arrived once.
func TestLoadManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,label\n")
	const rows = 10_000
	for i := range rows {
		fmt.Fprintf(&b, "%05d,\"row, %d\"\n", i, i)
	}
	csv := b.String()
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		cols := []Column{{Name: "id", Type: "text"}, {Name: "label", Type: "text"}}
		n, err := Load(enginetest.Ctx(t), a, Spec{Relation: warehouse.Relation{Schema: "s", Name: "big"}, Columns: cols, Path: "big.csv",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }})
		if err != nil || n != rows {
			t.Fatalf("loaded %d, %v; want %d", n, err, rows)
		}
		res := enginetest.Query(t, a, `select count(distinct id), min(id), max(label) from s.big`)
		if fmt.Sprint(res.Rows[0]) != "[10000 00000 row, 9999]" {
			t.Errorf("got %v", res.Rows[0])
		}
	})
}
