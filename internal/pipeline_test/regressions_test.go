package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
)

// Regression tests for bugs found while writing this suite.

// A singular test that reads an ephemeral model runs against the inlined
// CTE (it was once skipped as "not built").
func TestSingularTestOnAnEphemeralModelRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		p := scratch(t, w, map[string]string{
			"models/eph.sql":        "{{ config(materialized='ephemeral') }}select -1 as amount",
			"models/uses_eph.sql":   "select * from {{ ref('eph') }}",
			"tests/no_negative.sql": "select * from {{ ref('eph') }} where amount < 0",
		})
		rs := buildAll(t, w, p)
		if r := rs["test.no_negative"]; r.Status != run.StatusFail {
			t.Errorf("test.no_negative: %s (%s), want fail: the ephemeral model yields a negative amount", r.Status, r.Message)
		}
	})
}

// A relationships test whose `to` is an ephemeral model joins the inlined
// CTE (it once joined a relation that is never built).
func TestRelationshipsToAnEphemeralModelRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		p := scratch(t, w, map[string]string{
			"models/meters.sql": "{{ config(materialized='ephemeral') }}select 1 as id",
			"models/reads.sql":  "select 2 as meter_id",
			"models/schema.yml": "version: 2\nmodels:\n  - name: reads\n    columns:\n      - name: meter_id\n        data_tests:\n          - relationships:\n              to: ref('meters')\n              field: id\n",
		})
		rs := buildAll(t, w, p)
		id := "test.relationships_reads_meter_id__id__ref_meters"
		if r := rs[id]; r.Status != run.StatusFail {
			t.Errorf("%s: %s (%s), want fail: meter 2 is not in meters", id, r.Status, r.Message)
		}
	})
}

// A DuckDB database file whose base name equals the target schema (e.g.
// path warehouse/cdw.duckdb with schema cdw) once made every "cdw"."x"
// ambiguous between the catalog and the schema.
func TestDuckDBFileNamedLikeTheSchema(t *testing.T) {
	ctx := context.Background()
	a, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "cdw.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := warehouse.BuildTable(ctx, a, warehouse.Relation{Schema: "cdw", Name: "t"}, "select 1 as x"); err != nil {
		t.Errorf("BuildTable cdw.t in cdw.duckdb: %v", err)
	}
}

// A generic test on an ephemeral model runs against the inlined CTE.
func TestGenericTestOnAnEphemeralModelRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		p := scratch(t, w, map[string]string{
			"models/eph.sql":    "{{ config(materialized='ephemeral') }}select 1 as id union all select null",
			"models/uses.sql":   "select * from {{ ref('eph') }}",
			"models/schema.yml": "version: 2\nmodels:\n  - name: eph\n    columns:\n      - name: id\n        data_tests: [not_null]\n",
		})
		rs := buildAll(t, w, p)
		if r := rs["test.not_null_eph_id"]; r.Status != run.StatusFail || r.Rows != 1 {
			t.Errorf("test.not_null_eph_id: %s %d (%s), want fail with 1 row", r.Status, r.Rows, r.Message)
		}
	})
}
