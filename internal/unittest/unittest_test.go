package unittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

const sourcesYML = `version: 2
sources:
  - name: raw
    tables:
      - name: readings
        columns:
          - {name: mpxn, data_type: text}
          - {name: read_at, data_type: timestamp}
          - {name: kwh, data_type: double}
`

var models = map[string]string{
	"models/sources.yml": sourcesYML,
	"models/stg.sql":     "{{ config(materialized='ephemeral') }}\nselect upper(mpxn) as mpxn, read_at, kwh from {{ source('raw', 'readings') }}",
	"models/daily.sql": "{{ config(materialized='incremental', unique_key=['mpxn', 'day']) }}\n" +
		"select mpxn, cast(read_at as date) as day, sum(kwh) as kwh, count(*) as n from {{ ref('stg') }}\n" +
		"{% if is_incremental() %}where read_at >= (select max(day) from {{ this }}){% endif %}\n" +
		"group by 1, 2",
	"models/meters.sql":  "select mpxn, '{{ target.type }}' as engine, {{ var('factor', 1) }} * 2 as f from {{ source('raw', 'readings') }}",
	"models/meter_f.sql": "select mpxn, f + 1 as g from {{ ref('meters') }}",
}

func load(t *testing.T, unitYML string) *project.Project {
	t.Helper()
	fsys := fstest.MapFS{"project.yml": {Data: []byte("name: demo\ntargets:\n  pg: {type: postgres, url: 'postgres://x', schema: analytics}\n")},
		"models/unit.yml": {Data: []byte(unitYML)}}
	for k, v := range models {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := cfg.Target("")
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: dialect.Postgres(150000)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func run(t *testing.T, p *project.Project, name string, opts Options) (Result, error) {
	t.Helper()
	return Run(context.Background(), p, "unit_test."+name, opts)
}

func TestPassAndFail(t *testing.T) {
	p := load(t, `unit_tests:
  - name: sums_per_day
    model: daily
    given:
      - input: source('raw', 'readings')
        rows:
          - {mpxn: a1, read_at: "2024-01-01 00:30:00", kwh: 1.5}
          - {mpxn: A1, read_at: "2024-01-01 23:30:00", kwh: 2}
          - {mpxn: b2, read_at: "2024-01-02 00:00:00"}
    expect:
      rows:
        - {mpxn: A1, day: 2024-01-01, kwh: 3.5}
        - {mpxn: B2, day: 2024-01-02, kwh: null}
  - name: wrong_expectation
    model: daily
    given:
      - input: source('raw', 'readings')
        format: csv
        rows: |
          mpxn,read_at,kwh
          a1,2024-01-01 00:30:00,1.5
          a1,2024-01-01 01:00:00,1.5
          b1,2024-01-01 01:00:00,1
    expect:
      format: csv
      rows: |
        mpxn,kwh,n
        A1,3.0,1
        A1,3.0,2
`)
	res, err := run(t, p, "sums_per_day", Options{})
	if err != nil || !res.Passed {
		t.Fatalf("sums_per_day: %+v %v", res, err)
	}
	if !strings.Contains(res.SQL, `from "ephemeral__stg"`) {
		t.Errorf("rendered SQL does not read the ephemeral model as a view:\n%s", res.SQL)
	}
	res, err = run(t, p, "wrong_expectation", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.Missing != 1 || res.Unexpected != 1 || res.Message() != "1 expected row(s) missing, 1 unexpected row(s)" {
		t.Fatalf("wrong_expectation: %+v", res)
	}
	if got := fmt.Sprint(res.Diff.Columns, res.Diff.Rows); got != "[diff mpxn kwh n] [[- A1 3 1] [+ B1 1 1]]" {
		t.Errorf("diff = %s", got)
	}
}

// TestIncrementalAndOverrides: is_incremental() can be forced, `this`
// given; vars and target.type render as documented.
func TestIncrementalAndOverrides(t *testing.T) {
	p := load(t, `unit_tests:
  - name: only_new_days
    model: daily
    overrides:
      macros: {is_incremental: true}
    given:
      - input: source('raw', 'readings')
        rows:
          - {mpxn: a, read_at: "2024-01-01 10:00:00", kwh: 1}
          - {mpxn: a, read_at: "2024-01-03 10:00:00", kwh: 2}
      - input: this
        format: sql
        rows: "select 'A' as mpxn, date '2024-01-02' as day, 1.0 as kwh, 1 as n"
    expect:
      rows: [{day: 2024-01-03, kwh: 2}]
  - name: vars_and_target
    model: meters
    overrides:
      vars: {factor: 21}
    given:
      - input: source('raw', 'readings')
        rows: [{mpxn: x}]
    expect:
      rows: [{mpxn: x, engine: duckdb, f: 42}]
`)
	for _, name := range []string{"only_new_days", "vars_and_target"} {
		res, err := run(t, p, name, Options{})
		if err != nil || !res.Passed {
			t.Errorf("%s: %+v %v", name, res, err)
		}
	}
}

// TestTargetColumns: without declared types, the target's columns give
// the input its shape and types; a given column the target lacks is an
// error; an unreachable target is not.
func TestTargetColumns(t *testing.T) {
	p := load(t, `unit_tests:
  - name: shape_from_target
    model: meters
    given:
      - input: source('raw', 'readings')
        rows: [{mpxn: x}]
    expect:
      rows: [{mpxn: x}]
`)
	p.Nodes["source.raw.readings"].Columns = nil // as if nothing were declared
	var asked []warehouse.Relation
	opts := Options{Columns: func(_ context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
		asked = append(asked, rel)
		return []warehouse.Column{{Name: "mpxn", Type: "character varying(20)"}, {Name: "read_at", Type: "timestamp without time zone"}, {Name: "extra", Type: "jsonb"}}, nil
	}}
	if res, err := run(t, p, "shape_from_target", opts); err != nil || !res.Passed {
		t.Fatalf("%+v %v", res, err)
	}
	if fmt.Sprint(asked) != "[raw.readings]" {
		t.Errorf("asked for %v", asked)
	}
	opts.Columns = func(context.Context, warehouse.Relation) ([]warehouse.Column, error) {
		return []warehouse.Column{{Name: "meter", Type: "text"}}, nil
	}
	if _, err := run(t, p, "shape_from_target", opts); err == nil || !strings.Contains(err.Error(), `column "mpxn" is not a column of raw.readings in the target (columns: meter)`) {
		t.Errorf("err = %v", err)
	}
	opts.Columns = func(context.Context, warehouse.Relation) ([]warehouse.Column, error) {
		return nil, errors.New("connection refused")
	}
	if res, err := run(t, p, "shape_from_target", opts); err != nil || !res.Passed {
		t.Errorf("unreachable target: %+v %v", res, err)
	}
}

func TestErrors(t *testing.T) {
	p := load(t, `unit_tests:
  - name: unknown_expected_column
    model: meters
    given:
      - input: source('raw', 'readings')
        rows: []
    expect:
      rows: [{meter: x}]
  - name: value_does_not_fit
    model: meters
    given:
      - input: source('raw', 'readings')
        rows: [{mpxn: x, read_at: "not a time"}]
    expect:
      rows: []
  - name: unexpected_rows
    model: meters
    given:
      - input: source('raw', 'readings')
        rows: [{mpxn: x}]
    expect:
      rows: []
`)
	cases := map[string]string{
		"unknown_expected_column": `expect: column "meter" is not returned by the model (it returns mpxn, engine, f)`,
		"value_does_not_fit":      "given source('raw', 'readings'): rows do not fit their columns' types",
	}
	for name, want := range cases {
		if _, err := run(t, p, name, Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
	res, err := run(t, p, "unexpected_rows", Options{})
	if err != nil || res.Passed || res.Unexpected != 1 || fmt.Sprint(res.Diff.Rows) != "[[+ x duckdb 2]]" {
		t.Errorf("unexpected_rows: %+v %v", res, err)
	}
}

func TestInferType(t *testing.T) {
	cases := []struct {
		vals []any
		want string
	}{
		{[]any{1, nil, 2}, "bigint"},
		{[]any{1, 2.5}, "double"},
		{[]any{true, false}, "boolean"},
		{[]any{"2024-01-01", 1}, "varchar"},
		{[]any{nil}, "varchar"},
		{[]any{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, "date"},
		{[]any{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC)}, "timestamp"},
	}
	for _, c := range cases {
		rows := make([][]any, len(c.vals))
		for i, v := range c.vals {
			rows[i] = []any{v}
		}
		if got := inferType(rows, 0); got != c.want {
			t.Errorf("inferType(%v) = %s, want %s", c.vals, got, c.want)
		}
	}
}

// TestShapeWithoutTarget: an input model that is not built anywhere gets
// its columns by running its SQL over empty, typed inputs, so rows may
// leave columns out (dict and sql alike) and a wrong column is caught.
func TestShapeWithoutTarget(t *testing.T) {
	p := load(t, `unit_tests:
  - name: sparse_dict
    model: meter_f
    given:
      - input: ref('meters')
        rows: [{mpxn: x}, {mpxn: y, f: 2}]
    expect:
      rows: [{mpxn: x, g: null}, {mpxn: y, g: 3}]
  - name: sparse_sql
    model: meter_f
    given:
      - input: ref('meters')
        format: sql
        rows: "select 'y' as mpxn, 2 as f"
    expect:
      rows: [{mpxn: y, g: 3}]
  - name: wrong_column
    model: meter_f
    given:
      - input: ref('meters')
        rows: [{mpxn: x, h: 1}]
    expect:
      rows: []
`)
	for _, name := range []string{"sparse_dict", "sparse_sql"} {
		if res, err := run(t, p, name, Options{}); err != nil || !res.Passed {
			t.Errorf("%s: %+v %v", name, res, err)
		}
	}
	_, err := run(t, p, "wrong_column", Options{})
	if err == nil || !strings.Contains(err.Error(), `column "h" is not a column of ref('meters') (columns: mpxn, engine, f)`) {
		t.Errorf("wrong_column: %v", err)
	}
}
