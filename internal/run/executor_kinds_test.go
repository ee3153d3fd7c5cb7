package run

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// kindsProject has a seed, a model reading it, an incremental model, a
// snapshot, tests with every config and a unit test.
var kindsProject = map[string]string{
	"project.yml":             "name: demo\ntargets:\n  duckdb: {type: duckdb, schema: analytics}\n  postgres: {type: postgres, url: 'postgres://x', schema: analytics}\n",
	"seeds/reading_types.csv": "code,label,factor\n01,normal,1.0\n02,estimate,0.5\n03,,2.0\n",
	"seeds/props.yml": `seeds:
  - name: reading_types
    config: {column_types: {factor: "numeric(3,1)"}}
    columns:
      - name: label
        data_tests:
          - not_null:
              config: {store_failures: true}
          - accepted_values:
              values: [normal]
              config: {warn_if: ">0", error_if: ">5"}
          - accepted_values:
              values: [none]
              config: {limit: 1}
`,
	"models/sources.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: reads\n",
	"models/typed.sql":   "select code, factor * 2 as double_factor from {{ ref('reading_types') }}",
	"models/reads.sql": "{{ config(materialized='incremental', unique_key='id') }}\nselect id, kind from {{ source('raw', 'reads') }}\n" +
		"{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}",
	"models/schema.yml": `version: 2
models:
  - name: reads
    columns:
      - name: kind
        data_tests:
          - not_null:
              config: {new_rows_only: true}
`,
	"snapshots/types.yml": `snapshots:
  - name: reading_types_history
    relation: ref('reading_types')
    config: {strategy: check, unique_key: code, check_cols: [label, factor]}
`,
	"models/unit.yml": `unit_tests:
  - name: doubles
    model: typed
    given:
      - input: ref('reading_types')
        rows: [{code: "01", factor: 1.5}]
    expect:
      rows: [{code: "01", double_factor: 3}]
  - name: doubles_wrongly
    model: typed
    given:
      - input: ref('reading_types')
        rows: [{code: "01", factor: 1.5}]
    expect:
      rows: [{code: "01", double_factor: 4}]
`,
}

func loadKinds(t *testing.T, a warehouse.Adapter) *project.Project {
	t.Helper()
	fsys := fstest.MapFS{}
	for k, v := range kindsProject {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, err := cfg.Target(a.Dialect().Name())
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: a.Dialect()})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func TestStepAny(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		p := loadKinds(t, a)
		e := &Executor{Adapter: a, Project: p, Compile: compile.Options{RunStartedAt: time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC), InvocationID: "inv"}}
		step := func(id string, status Status, msg string) Outcome {
			t.Helper()
			out := e.StepAny(ctx, id)
			if out.Status != status || !strings.Contains(out.Message, msg) {
				t.Errorf("%s: %s %q, want %s %q", id, out.Status, out.Message, status, msg)
			}
			return out
		}
		// A test of a seed not loaded yet is skipped with the command to run.
		step("test.not_null_reading_types_label", StatusSkipped, "(cdw seed -s reading_types)")
		step("seed.reading_types", StatusSuccess, "loaded 3 rows into analytics.reading_types")
		step("model.typed", StatusSuccess, "")
		res := enginetest.Query(t, a, "select code, double_factor from analytics.typed order by code")
		if fmt.Sprint(res.Rows) != "[[01 2.0] [02 1.0] [03 4.0]]" {
			t.Errorf("typed = %v", res.Rows)
		}

		// store_failures: the failing rows land in cdw_meta, replaced each run.
		out := step("test.not_null_reading_types_label", StatusFail, "1 failing row(s), stored in cdw_meta.failures__analytics__not_null_reading_types_label")
		if out.Detail.(*TestDetail).Sample == nil || len(out.Detail.(*TestDetail).Sample.Rows) != 1 {
			t.Errorf("sample = %+v", out.Detail)
		}
		stored := enginetest.Query(t, a, `select code from cdw_meta.failures__analytics__not_null_reading_types_label`)
		if fmt.Sprint(stored.Rows) != "[[03]]" {
			t.Errorf("stored failures = %v", stored.Rows)
		}
		// Thresholds: 1 value outside [normal] (NULL is not counted) warns, below error_if.
		step("test.accepted_values_reading_types_label__normal", StatusWarn, "1 failing row(s) (warn_if >0; error_if >5 not reached)")
		// limit caps the count.
		out = step("test.accepted_values_reading_types_label__none", StatusFail, "1 failing row(s)")
		if !strings.Contains(out.SQL, "limit 1") {
			t.Errorf("limited test ran %s", out.SQL)
		}

		// Snapshot of the seed.
		step("snapshot.reading_types_history", StatusSuccess, "analytics.reading_types_history: created with 3 rows")
		step("snapshot.reading_types_history", StatusSuccess, "0 new, 0 changed, 0 deleted (3 rows)")

		// Unit tests run on DuckDB whatever the target.
		step("unit_test.doubles", StatusPass, "pass")
		out = step("unit_test.doubles_wrongly", StatusFail, "1 expected row(s) missing, 1 unexpected row(s)")
		if d := out.Detail.(*TestDetail).Sample; fmt.Sprint(d.Rows) != "[[+ 01 3.0] [- 01 4.0]]" {
			t.Errorf("diff = %v", d.Rows)
		}
	})
}

// TestNewRowsOnly: the test checks the rows the incremental model would
// add now, before they are merged — not the table.
func TestNewRowsOnly(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		p := loadKinds(t, a)
		e := &Executor{Adapter: a, Project: p}
		enginetest.Exec(t, a, "create schema raw")
		enginetest.Exec(t, a, "create table raw.reads (id int, kind text)")
		enginetest.Exec(t, a, "insert into raw.reads values (1, 'a'), (2, null)")
		const id = "test.not_null_reads_kind"
		// Before the first build the delta is the whole query: the NULL counts.
		if out := e.StepAny(ctx, id); out.Status != StatusFail || out.Rows != 1 {
			t.Fatalf("first: %+v", out)
		}
		if out := e.StepAny(ctx, "model.reads"); out.Status != StatusSuccess {
			t.Fatal(out.Message)
		}
		// Built: the bad row is in the table, but it is not new any more.
		if out := e.StepAny(ctx, id); out.Status != StatusPass {
			t.Errorf("after the build: %+v", out)
		}
		enginetest.Exec(t, a, "insert into raw.reads values (3, 'c'), (4, null), (5, null)")
		out := e.StepAny(ctx, id)
		if out.Status != StatusFail || out.Rows != 2 || !strings.Contains(out.SQL, "where id > (select max(id) from") {
			t.Errorf("new rows: %+v", out)
		}
	})
}
