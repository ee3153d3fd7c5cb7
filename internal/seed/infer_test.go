package seed

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/csvx"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// TestInferKinds pins dbt's inference, column by column: each case is the
// values of one column.
func TestInferKinds(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		kind   Kind
		places int
		pg     string // the type on PostgreSQL (and DuckDB)
	}{
		{"integers", []string{"1", "-20", "007"}, KindNumber, 0, "integer"},
		{"decimals", []string{"1.50", "2.25", "3"}, KindNumber, 2, "float8"},
		{"zeros after the point are not precision", []string{"2.00", "3.0", "10"}, KindNumber, 0, "integer"},
		{"formatted numbers", []string{"$1,234", "12%", " 7 ", "-£3.5"}, KindNumber, 1, "float8"},
		{"exponents", []string{"1e3", "2.5E-2"}, KindNumber, 3, "float8"},
		{"infinity and NaN are numbers", []string{"Infinity", "nan", "1"}, KindNumber, 0, "integer"},
		{"empty and null words do not decide", []string{"", "null", " NULL ", "4"}, KindNumber, 0, "integer"},
		{"all empty is a number", []string{"", ""}, KindNumber, 0, "integer"},
		{"dates", []string{"2024-01-31", "2024-1-5", " 2023-12-01 "}, KindDate, 0, "date"},
		{"a day the month lacks is text", []string{"2024-02-30"}, KindText, 0, "text"},
		{"datetimes", []string{"2024-01-31 10:00:00", "2024-1-5 9:5:7"}, KindDateTime, 0, "timestamp without time zone"},
		{"dates and datetimes mixed are text", []string{"2024-01-31", "2024-01-31 10:00:00"}, KindText, 0, "text"},
		{"ISO datetimes", []string{"2024-01-31T10:00:00", "2024-01-31T10:00:00.5+01:00", "20240131T1000Z"}, KindISO, 0, "timestamp without time zone"},
		{"booleans", []string{"true", "FALSE", " True "}, KindBoolean, 0, "boolean"},
		{"0 and 1 are numbers, not booleans", []string{"0", "1"}, KindNumber, 0, "integer"},
		{"yes is text", []string{"true", "yes"}, KindText, 0, "text"},
		{"codes with letters are text", []string{"A1", "007"}, KindText, 0, "text"},
		{"signalling NaN is text", []string{"sNaN"}, KindText, 0, "text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := NewInferrer(1)
			for _, v := range c.values {
				in.Add([]csvx.Field{{Value: v}})
			}
			got := in.Result()[0]
			if got.Kind != c.kind || (c.kind == KindNumber && got.Places != c.places) {
				t.Fatalf("got %+v, want kind %s places %d", got, c.kind, c.places)
			}
			if typ := got.SQLType("postgres"); typ != c.pg {
				t.Errorf("postgres type %q, want %q", typ, c.pg)
			}
			if typ := got.SQLType("duckdb"); typ != c.pg {
				t.Errorf("duckdb type %q, want %q", typ, c.pg)
			}
		})
	}
}

func TestInferSpecialCases(t *testing.T) {
	header, inf, err := InferCSV(strings.NewReader("\ufeffid,name\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(header, []string{"id", "name"}) || inf[0].Kind != KindInteger || inf[1].SQLType("postgres") != "integer" {
		t.Errorf("a seed without rows: header %q, inferred %+v; dbt makes every column integer", header, inf)
	}
	_, inf, err = InferCSV(strings.NewReader("code\nabc\nabcdef\n\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := inf[0].SQLType("redshift"); got != "varchar(6)" {
		t.Errorf("redshift text type %q, want varchar(6) (the longest value)", got)
	}
	if _, _, err := InferCSV(strings.NewReader("a,b\n1,2\n3\n"), 0); err == nil || !strings.Contains(err.Error(), "line 3: 1 fields, the header has 2") {
		t.Errorf("short record: %v", err)
	}
}

func TestConvert(t *testing.T) {
	cases := []struct {
		kind Kind
		in   string
		want any
	}{
		{KindNumber, "$1,234.50", "1234.5"},
		{KindNumber, "-12%", "-12"},
		{KindNumber, "007", "7"},
		{KindNumber, "2.00", "2"},
		{KindNumber, "1e3", "1000"},
		{KindNumber, "2.5E-2", "0.025"},
		{KindNumber, "-Infinity", "-Infinity"},
		{KindNumber, "null", nil},
		{KindDate, "2024-1-5", "2024-01-05"},
		{KindDateTime, "2024-1-5  9:05:07", "2024-01-05 09:05:07"},
		{KindISO, "2024-01-31T10:00:00.250+01:30", "2024-01-31 08:30:00.25"},
		{KindISO, "20240131T1000Z", "2024-01-31 10:00:00"},
		{KindBoolean, " TRUE ", "true"},
		{KindText, " kept as is ", " kept as is "},
		{KindText, "NULL", nil},
		{KindText, "", nil},
		{"", "", nil},
		{"", "null", "null"},
	}
	for _, c := range cases {
		got, err := c.kind.convert(csvx.Field{Value: c.in})
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: got %#v, %v; want %#v", c.kind, c.in, got, err, c.want)
		}
	}
	if v, err := Kind("").convert(csvx.Field{Value: "", Quoted: true}); v != "" || err != nil {
		t.Errorf(`cdw's rule: a quoted empty field is "", got %#v`, v)
	}
	if v, err := KindText.convert(csvx.Field{Value: "", Quoted: true}); v != nil || err != nil {
		t.Errorf(`dbt's rule: a quoted empty field is NULL, got %#v`, v)
	}
	if _, err := KindDate.convert(csvx.Field{Value: "soon"}); err == nil || !strings.Contains(err.Error(), `"soon" is not a date value`) {
		t.Errorf("bad date: %v", err)
	}
}

// tariffs is a seed as a dbt user writes one.
const tariffs = "Tariff_Code,unit_rate,standing_charge,valid_from,is_green,notes,region\n" +
	"E7,0.2450,53.10,2024-01-01,true,,10\n" +
	"STD,\"$0.30\",60,2024-04-01,False,null,\"20\"\n" +
	"EV,0.075,45.5,2024-7-1,TRUE,night rate,\n"

// TestLoadDBTRule loads a seed typed by dbt's rule on each engine: values
// converted as dbt does, column_types cast by the warehouse, and
// quote_columns: false folding the header's names where the engine folds
// unquoted names.
func TestLoadDBTRule(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		header, inf, err := InferCSV(strings.NewReader(tariffs), 0)
		if err != nil {
			t.Fatal(err)
		}
		engine := a.Dialect().Name()
		cols, err := DBTColumnTypes(header, map[string]string{"region": "varchar(4)"}, DBTRule{Inferred: inf, Engine: engine, UnquotedColumns: true})
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, c := range cols {
			types = append(types, c.TableName()+" "+c.Type)
		}
		code := "tariff_code"
		if engine == "duckdb" {
			code = "Tariff_Code"
		}
		wantTypes := []string{code + " text", "unit_rate float8", "standing_charge float8", "valid_from date",
			"is_green boolean", "notes text", "region varchar(4)"}
		if !reflect.DeepEqual(types, wantTypes) {
			t.Fatalf("types %q, want %q", types, wantTypes)
		}
		sp := Spec{Relation: warehouse.Relation{Schema: "dbt_seeds", Name: "tariffs"}, Columns: cols, Path: "seeds/tariffs.csv",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(tariffs)), nil }}
		if n, err := Load(ctx, a, sp); err != nil || n != 3 {
			t.Fatalf("load: %d rows, %v", n, err)
		}
		q := a.Dialect().QuoteIdent(code)
		res := enginetest.Query(t, a, `select `+q+`, unit_rate, standing_charge, valid_from, is_green, notes, region from dbt_seeds.tariffs order by valid_from`)
		day := func(m time.Month) time.Time { return time.Date(2024, m, 1, 0, 0, 0, 0, time.UTC) }
		want := [][]any{
			{"E7", 0.245, 53.1, day(1), true, nil, "10"},
			{"STD", 0.3, 60.0, day(4), false, nil, "20"},
			{"EV", 0.075, 45.5, day(7), true, "night rate", nil},
		}
		if !reflect.DeepEqual(res.Rows, want) {
			t.Errorf("rows:\n got %#v\nwant %#v", res.Rows, want)
		}
	})
}
