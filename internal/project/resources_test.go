package project_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/seed"
)

const readingTypesCSV = "code,description,factor\n01,Normal,1.0\n02,Estimate,0.5\n"

func TestSeedNodes(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"seeds/reference/reading_types.csv": readingTypesCSV,
		"seeds/plain.csv":                   "a;b\n1;2\n",
		"seeds/props.yml": `version: 2
seeds:
  - name: reading_types
    description: Reading type codes.
    config:
      schema: ref
      tags: [reference]
      column_types: {factor: "numeric(4,2)"}
    columns:
      - name: code
        data_tests: [unique, not_null]
  - name: plain
    config: {delimiter: ";"}
`,
		"models/readings.sql": "select r.code from {{ ref('reading_types') }} as r join {{ ref('plain') }} as p on true",
	})
	n := p.Nodes["seed.reading_types"]
	if n == nil || n.Kind != project.KindSeed || n.Path != "seeds/reference/reading_types.csv" {
		t.Fatalf("seed node = %+v", n)
	}
	wantCols := []seed.Column{{Name: "code", Type: "text"}, {Name: "description", Type: "text"}, {Name: "factor", Type: "numeric(4,2)", Declared: true}}
	if !reflect.DeepEqual(n.Seed.Columns, wantCols) || n.Relation.String() != "analytics_ref.reading_types" ||
		n.Description != "Reading type codes." || !slices.Equal(n.Tags, []string{"reference"}) {
		t.Errorf("seed = %+v %+v", n, n.Seed)
	}
	if n.Seed.Size != int64(len(readingTypesCSV)) || len(n.Seed.Checksum) != 64 {
		t.Errorf("size %d checksum %q", n.Seed.Size, n.Seed.Checksum)
	}
	if p.Nodes["seed.plain"].Seed.Delimiter != ';' || len(p.Nodes["seed.plain"].Seed.Columns) != 2 {
		t.Errorf("plain = %+v", p.Nodes["seed.plain"].Seed)
	}
	// ref() reads seeds: an edge, and the resolver finds them.
	if got := p.Graph.Parents("model.readings"); !slices.Equal(got, []string{"seed.plain", "seed.reading_types"}) {
		t.Errorf("readings parents = %v", got)
	}
	if m, ok := p.Model("reading_types"); !ok || m.ID != "seed.reading_types" {
		t.Errorf("Model(reading_types) = %v, %v", m, ok)
	}
	// Tests on a seed column.
	if tst := p.Nodes["test.unique_reading_types_code"]; tst == nil || tst.Test.On != "seed.reading_types" {
		t.Errorf("test on seed = %+v", tst)
	}
}

func TestSnapshotAndUnitTestNodes(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/src.yml": "version: 2\nsources:\n  - name: crm\n    tables:\n      - name: accounts\n",
		"models/stg.sql": "{{ config(materialized='ephemeral') }}\nselect * from {{ source('crm', 'accounts') }}",
		"models/accounts.sql": "{{ config(materialized='incremental', unique_key='id') }}\nselect * from {{ ref('stg') }}" +
			"{% if is_incremental() %} where ts > (select max(ts) from {{ this }}){% endif %}",
		"snapshots/accounts_history.yml": `snapshots:
  - name: accounts_history
    relation: source('crm', 'accounts')
    config:
      schema: history
      strategy: check
      unique_key: [id]
      check_cols: all
      hard_deletes: new_record
    columns:
      - name: id
        data_tests: [not_null]
`,
		"models/unit.yml": `unit_tests:
  - name: accounts_keeps_rows
    model: accounts
    given:
      - input: source('crm', 'accounts')
        format: csv
        rows: |
          id,ts
          1,2024-01-01
          2,
    expect:
      rows:
        - {id: 1}
        - {id: 2, ts: null}
  - name: accounts_incremental
    model: accounts
    overrides:
      macros: {is_incremental: true}
    given:
      - input: ref('stg')
        rows: []
      - input: this
        format: sql
        rows: "select 1 as id, timestamp '2024-01-01' as ts"
    expect:
      rows: []
`,
	})
	snap := p.Nodes["snapshot.accounts_history"]
	if snap == nil || snap.Snapshot.Of != "source.crm.accounts" || snap.Relation.String() != "analytics_history.accounts_history" ||
		!snap.Snapshot.Config.CheckAll || snap.Snapshot.Config.HardDeletes != "new_record" ||
		!slices.Equal(p.Graph.Parents(snap.ID), []string{"source.crm.accounts"}) {
		t.Fatalf("snapshot = %+v", snap)
	}
	if p.Nodes["test.not_null_accounts_history_id"] == nil {
		t.Error("no test on the snapshot")
	}
	u := p.Nodes["unit_test.accounts_keeps_rows"]
	if u == nil || u.UnitTest.Model != "model.accounts" || !slices.Equal(u.Parents, []string{"model.accounts"}) {
		t.Fatalf("unit test = %+v", u)
	}
	g := u.UnitTest.Given[0]
	if g.Node != "source.crm.accounts" || !slices.Equal(g.Rows.Columns, []string{"id", "ts"}) ||
		fmt.Sprint(g.Rows.Values) != "[[1 2024-01-01] [2 <nil>]]" {
		t.Errorf("given = %+v", g)
	}
	if fmt.Sprint(u.UnitTest.Expect.Columns, u.UnitTest.Expect.Values) != "[id ts] [[1 <nil>] [2 <nil>]]" {
		t.Errorf("expect = %+v", u.UnitTest.Expect)
	}
	inc := p.Nodes["unit_test.accounts_incremental"].UnitTest
	if inc.IsIncremental == nil || !*inc.IsIncremental || !inc.Given[1].This || inc.Given[0].Node != "model.stg" {
		t.Errorf("incremental unit test = %+v", inc)
	}
	// Unit tests are tests to the selector: selected with their model.
	ids, err := p.Graph.Select([]string{"accounts"}, nil, dagDefaults())
	if err != nil || !slices.Equal(ids, []string{"model.accounts", "unit_test.accounts_incremental", "unit_test.accounts_keeps_rows"}) {
		t.Errorf("-s accounts = %v, %v", ids, err)
	}
}

func TestTestConfig(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/m.sql": "{{ config(materialized='incremental') }}\nselect 1 as id",
		"models/s.yml": `version: 2
models:
  - name: m
    columns:
      - name: id
        data_tests:
          - not_null:
              config: {limit: 10, warn_if: ">0", error_if: ">= 5", store_failures: true, new_rows_only: true}
`,
		"tests/few.sql": "{{ config(warn_if='>1', error_if='>100', limit=50, store_failures=true) }}\nselect * from {{ ref('m') }}",
	})
	got := p.Nodes["test.not_null_m_id"].Test
	if got.Limit != 10 || got.WarnIf != (quality.Condition{Op: ">", Value: 0}) || got.ErrorIf != (quality.Condition{Op: ">=", Value: 5}) ||
		!got.StoreFailures || !got.NewRowsOnly {
		t.Errorf("generic test config = %+v", got)
	}
	few := p.Nodes["test.few"].Test
	if few.Limit != 50 || few.WarnIf.String() != ">1" || few.ErrorIf.String() != ">100" || !few.StoreFailures {
		t.Errorf("singular test config = %+v", few)
	}
}

func TestResourceLoadErrors(t *testing.T) {
	model := map[string]string{"models/m.sql": "select 1 as id"}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range model {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"column_types names a missing column", with(map[string]string{"seeds/codes.csv": "code\n1\n",
			"seeds/s.yml": "seeds:\n  - name: codes\n    config:\n      column_types: {cod: bigint}\n"}),
			`seeds/s.yml:2:5: seed codes: column_types names "cod", which is not a column of the file (columns: code)`},
		{"seed declared without a file", with(map[string]string{"seeds/s.yml": "seeds:\n  - name: codes\n"}),
			`seeds/s.yml:2:5: seed "codes" is described here but there is no codes.csv under seeds/`},
		{"seed named like a model", with(map[string]string{"seeds/m.csv": "a\n1\n"}),
			`seeds/m.csv: seed "m" has the name of model models/m.sql; models, seeds and snapshots share one namespace`},
		{"empty seed file", with(map[string]string{"seeds/codes.csv": ""}),
			"seeds/codes.csv: seed codes: the file is empty: a seed needs a header line naming its columns"},
		{"conflicting seed types", with(map[string]string{"seeds/codes.csv": "code\n1\n",
			"seeds/s.yml": "seeds:\n  - name: codes\n    config: {column_types: {code: bigint}}\n    columns:\n      - name: code\n        data_type: text\n"}),
			`seeds/s.yml:2:5: seed codes: column "code" has data_type "text" and column_types "bigint"; give one type`},
		{"snapshot without strategy", with(map[string]string{"snapshots/s.yml": "snapshots:\n  - name: h\n    relation: ref('m')\n    config: {unique_key: id}\n"}),
			`snapshots/s.yml:4:13: snapshots[0].config: snapshot "h" needs a strategy: timestamp (with updated_at) or check (with check_cols)`},
		{"snapshot timestamp without updated_at", with(map[string]string{"snapshots/s.yml": "snapshots:\n  - name: h\n    relation: ref('m')\n    config: {unique_key: id, strategy: timestamp}\n"}),
			`snapshots/s.yml:4:13: snapshots[0].config: strategy timestamp needs updated_at: the column whose increase marks a change`},
		{"snapshot of an unknown model", with(map[string]string{"snapshots/s.yml": "snapshots:\n  - name: h\n    relation: ref('n')\n    config: {unique_key: id, strategy: check, check_cols: [a]}\n"}),
			`snapshots/s.yml:3:15: snapshot h: relation: ref("n"): no model named "n"; did you mean "m"?`},
		{"snapshot relation that is not a ref", with(map[string]string{"snapshots/s.yml": "snapshots:\n  - name: h\n    relation: raw.accounts\n    config: {unique_key: id, strategy: check, check_cols: all}\n"}),
			`snapshots/s.yml:3:15: snapshot h: relation must be ref('model') or source('source', 'table'), got "raw.accounts"`},
		{"snapshot with a bad hard_deletes", with(map[string]string{"snapshots/s.yml": "snapshots:\n  - name: h\n    relation: ref('m')\n    config: {unique_key: id, strategy: check, check_cols: all, hard_deletes: drop}\n"}),
			`snapshots/s.yml:4:78: snapshots[0].config.hard_deletes: unknown hard_deletes "drop"`},
		{"unit test of an unknown model", with(map[string]string{"models/u.yml": "unit_tests:\n  - name: u\n    model: mm\n    expect: {rows: []}\n"}),
			`models/u.yml:2:5: unit test u: model "mm" does not exist; did you mean "m"?`},
		{"unit test missing an input", with(map[string]string{"models/n.sql": "select * from {{ ref('m') }}",
			"models/u.yml": "unit_tests:\n  - name: u\n    model: n\n    expect: {rows: []}\n"}),
			`models/u.yml:2:5: unit test u: n reads ref('m'): give rows for each under given: (an empty list of rows is fine)`},
		{"unit test input the model does not read", with(map[string]string{"models/n.sql": "select 1 as id",
			"models/u.yml": "unit_tests:\n  - name: u\n    model: n\n    given:\n      - input: ref('m')\n        rows: []\n    expect: {rows: []}\n"}),
			`models/u.yml:5:9: unit test u: input ref('m'): n does not read it (it reads )`},
		{"unit test this on a view", with(map[string]string{
			"models/u.yml": "unit_tests:\n  - name: u\n    model: m\n    given:\n      - input: this\n        rows: []\n    expect: {rows: []}\n"}),
			`models/u.yml:2:5: unit test u: input: this stands for the existing table of an incremental model; m is view`},
		{"unit test csv with a short line", with(map[string]string{
			"models/u.yml": "unit_tests:\n  - name: u\n    model: m\n    expect:\n      format: csv\n      rows: |\n        a,b\n        1\n"}),
			`models/u.yml:5:7: unit test u: expect: csv rows: line 2 has 1 fields, the header has 2`},
		{"unit test with an unknown format", with(map[string]string{
			"models/u.yml": "unit_tests:\n  - name: u\n    model: m\n    expect:\n      format: json\n      rows: []\n"}),
			`models/u.yml:5:7: unit_tests[0].expect.format: unknown format "json"`},
		{"new_rows_only on a view", with(map[string]string{
			"models/s.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config: {new_rows_only: true}\n"}),
			`models/s.yml:7:13: new_rows_only tests the rows an incremental run adds; m is a view model`},
		{"bad threshold", with(map[string]string{
			"models/s.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config: {warn_if: \"more than 5\"}\n"}),
			`models/s.yml:8:33: models[0].columns[0].data_tests[0].not_null.config.warn_if: "more than 5" is not a threshold`},
		{"bad limit", with(map[string]string{
			"models/s.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              limit: 0\n"}),
			`models/s.yml:8:22: models[0].columns[0].data_tests[0].not_null.limit: must be a positive whole number`},
		{"singular test with a bad threshold", with(map[string]string{"tests/t.sql": "{{ config(error_if='lots') }}\nselect 1"}),
			`tests/t.sql: config(error_if=lots): "lots" is not a threshold`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.files)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err =\n%v\nwant it to contain\n%s", err, c.want)
			}
		})
	}
}

func dagDefaults() dag.SelectOptions { return dag.SelectOptions{} }

func TestSourceFreshness(t *testing.T) {
	p := mustLoad(t, map[string]string{"models/src.yml": `version: 2
sources:
  - name: raw
    loaded_at_field: loaded_at
    freshness: {warn_after: {count: 1, period: day}}
    tables:
      - name: readings
      - name: codes
        freshness: null
`})
	if f := p.Nodes["source.raw.readings"].Freshness; f == nil || f.LoadedAtField != "loaded_at" || f.Decl.WarnAfter.String() != "1 day" {
		t.Errorf("readings freshness = %+v", f)
	}
	if f := p.Nodes["source.raw.codes"].Freshness; f != nil {
		t.Errorf("codes freshness = %+v, want none", f)
	}
	_, err := load(t, map[string]string{"models/src.yml": "version: 2\nsources:\n  - name: raw\n    freshness: {warn_after: {count: 1, period: day}}\n    tables:\n      - name: readings\n"})
	want := "models/src.yml:4:16: source table raw.readings has freshness but no loaded_at_field (set it on the table or the source)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %s", err, want)
	}
}
