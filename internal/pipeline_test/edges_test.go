package pipeline_test

import (
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/run"
)

// TestAwkwardlyTerminatedSQLBuildsTwice: models and tests whose SQL ends
// in a semicolon or a line comment without a newline build and run on both
// engines, first from scratch and then again over what exists (views
// replaced, tables swapped, the incremental model merged), with ephemeral
// models inlined into models and tests.
func TestAwkwardlyTerminatedSQLBuildsTwice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, w *warehouseEnv) {
		files := map[string]string{
			"models/semi_table.sql":       "{{ config(materialized='table') }}select 1 as id;",
			"models/semi_view.sql":        "select 1 as id;\n",
			"models/comment_view.sql":     "select 1 as id -- trailing",
			"models/comment_table.sql":    "{{ config(materialized='table') }}select 1 as id -- trailing",
			"models/inc.sql":              "{{ config(materialized='incremental', unique_key='id') }}select id from {{ ref('semi_table') }} -- trailing",
			"models/eph.sql":              "{{ config(materialized='ephemeral') }}select 1 as id -- trailing",
			"models/uses.sql":             "select * from {{ ref('eph') }} -- trailing",
			"tests/ends_in_comment.sql":   "select * from {{ ref('uses') }} where id < 0 -- trailing",
			"tests/ends_in_semicolon.sql": "select * from {{ ref('inc') }} where id < 0;",
			"models/schema.yml":           "version: 2\nmodels:\n  - name: comment_view\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n",
		}
		for round := 1; round <= 2; round++ {
			p := scratch(t, w, files)
			rs := buildAll(t, w, p)
			if len(rs) != 10 {
				t.Errorf("round %d: %d results, want 10 (6 models and 4 tests; the ephemeral model is inlined, not built)", round, len(rs))
			}
			for id, r := range rs {
				if r.Status != run.StatusSuccess && r.Status != run.StatusPass {
					t.Errorf("round %d %s: %s %s", round, id, r.Status, r.Message)
				}
			}
			if round == 2 && !strings.HasPrefix(rs["model.inc"].Message, "merged") {
				t.Errorf("round 2 model.inc: %q, want a merge", rs["model.inc"].Message)
			}
		}
	})
}
