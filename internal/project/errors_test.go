package project_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/project"
)

// TestLoadErrors pins every load problem's exact text: path:line[:col]:
// message, all of them in one error.
func TestLoadErrors(t *testing.T) {
	colTest := func(model, tests string) string {
		return "version: 2\nmodels:\n  - name: " + model + "\n    columns:\n      - name: id\n        data_tests:\n" + tests
	}
	sources := "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: readings\n      - name: meters\n"
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown ref suggests a near name",
			map[string]string{"models/readings.sql": "select 1 as id", "models/daily.sql": "select *\nfrom {{ ref('reading') }}"},
			[]string{`models/daily.sql:2: ref("reading"): no model named "reading"; did you mean "readings"?`}},
		{"unknown ref with nothing near",
			map[string]string{"models/readings.sql": "select 1 as id", "models/daily.sql": "select * from {{ ref('meter_points') }}"},
			[]string{`models/daily.sql:1: ref("meter_points"): no model named "meter_points"`}},
		{"a model that does not parse is reported once, not at every ref to it",
			map[string]string{"models/readings.sql": "select {{ 1 +  }}", "models/daily.sql": "select * from {{ ref('readings') }}",
				"models/s.yml": colTest("daily", "          - relationships: {to: ref('readings'), field: id}\n"), "tests/t.sql": "select * from {{ ref('readings') }}"},
			[]string{`models/readings.sql:1:16: syntax error: expected either a number, string, keyword or identifier.`}},
		{"unknown source table",
			map[string]string{"models/src.yml": sources, "models/m.sql": "select * from {{ source('raw', 'reads') }}"},
			[]string{`models/m.sql:1: source("raw", "reads"): source "raw" has no table "reads" (declared: meters, readings)`}},
		{"unknown source",
			map[string]string{"models/src.yml": sources, "models/m.sql": "\n\nselect * from {{ source('landing', 'readings') }}"},
			[]string{`models/m.sql:3: source("landing", "readings"): no source named "landing" (declared: raw)`}},
		{"source when none are declared",
			map[string]string{"models/m.sql": "select * from {{ source('raw', 'readings') }}"},
			[]string{`models/m.sql:1: source("raw", "readings"): no sources are declared (declare them under ` + "`sources:`" + ` in a .yml file next to the models)`}},
		{"duplicate model names",
			map[string]string{"models/a/readings.sql": "select 1", "models/b/readings.sql": "select 2"},
			[]string{`models/b/readings.sql: model "readings" is also defined in models/a/readings.sql; model names must be unique`}},
		{"YAML model without a SQL file",
			map[string]string{"models/readings.sql": "select 1", "models/schema.yml": "version: 2\nmodels:\n  - name: readings\n  - name: meters\n    description: x\n"},
			[]string{`models/schema.yml:4:5: model "meters" is described here but there is no meters.sql under models/`}},
		{"unknown generic test",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - not_nul\n")},
			[]string{`models/s.yml:7:13: unknown test "not_nul" (generic tests: accepted_values, not_null, relationships, unique; or write a singular test in tests/)`}},
		{"generic test without a column",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": "version: 2\nmodels:\n  - name: m\n    data_tests: [unique]\n"},
			[]string{`models/s.yml:4:18: test "unique" needs a column: declare it under ` + "`columns:`"}},
		{"accepted_values without values",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - accepted_values:\n              value: [1]\n")},
			[]string{"models/s.yml:7:13: accepted_values needs `values:` with a list of values"}},
		{"accepted_values with an empty list",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - accepted_values:\n              values: []\n")},
			[]string{"models/s.yml:7:13: accepted_values needs `values:` with a list of values"}},
		{"accepted_values with an unknown argument",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - accepted_values:\n              values: [1]\n              extra: 2\n")},
			[]string{`models/s.yml:7:13: accepted_values: unknown argument "extra" (takes quote, values)`}},
		{"not_null with an argument",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - not_null:\n              values: [1]\n")},
			[]string{`models/s.yml:7:13: not_null takes no arguments, got "values"`}},
		{"relationships without field",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - relationships:\n              to: ref('m')\n")},
			[]string{"models/s.yml:7:13: relationships needs `to: ref('model')` and `field: column`"}},
		{"relationships to a bare name",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - relationships:\n              to: m\n              field: id\n")},
			[]string{`models/s.yml:7:13: relationships: ` + "`to`" + ` must be ref('model') or source('src', 'table'), got "m"`}},
		{"relationships to an unknown model",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - relationships:\n              to: ref('n')\n              field: id\n")},
			[]string{`models/s.yml:7:13: relationships: ` + "`to`" + `: ref("n"): no model named "n"; did you mean "m"?`}},
		{"relationships with an unknown argument",
			map[string]string{"models/m.sql": "select 1 as id", "models/s.yml": colTest("m", "          - relationships:\n              to: ref('m')\n              field: id\n              column: id\n")},
			[]string{`models/s.yml:7:13: relationships: unknown argument "column" (takes field, to)`}},
		{"ref to a disabled model",
			map[string]string{"models/off.sql": "{{ config(enabled=false) }}select 1", "models/m.sql": "select * from {{ ref('off') }}"},
			[]string{`models/m.sql: ref("off"): that model is disabled (enabled: false)`}},
		{"model refers to itself",
			map[string]string{"models/m.sql": "select * from {{ ref('m') }}"},
			[]string{`models/m.sql: model "m" refers to itself; use {{ this }} for its own relation`}},
		{"singular test with a bad severity",
			map[string]string{"tests/t.sql": "{{ config(severity='fatal') }}select 1"},
			[]string{"tests/t.sql: config(severity=fatal): must be 'error' or 'warn'"}},
		{"singular test with an unknown config key",
			map[string]string{"tests/t.sql": "{{ config(materialized='table') }}select 1"},
			[]string{"tests/t.sql: config(materialized=...): tests take severity, warn_if, error_if, limit, store_failures and tags"}},
		{"cycles name every model in them",
			map[string]string{
				"models/a.sql": "select * from {{ ref('c') }}", "models/b.sql": "select * from {{ ref('a') }}", "models/c.sql": "select * from {{ ref('b') }}",
				"models/x.sql": "select * from {{ ref('y') }}", "models/y.sql": "select * from {{ ref('x') }}",
				"models/ok.sql": "select 1",
			},
			[]string{"cycle: model.a -> model.b -> model.c -> model.a; cycle: model.x -> model.y -> model.x"}},
		{"a cycle through an incremental model's is_incremental() branch",
			map[string]string{
				"models/a.sql": "{{ config(materialized='incremental') }}select 1 as id{% if is_incremental() %} union all select id from {{ ref('b') }}{% endif %}",
				"models/b.sql": "select * from {{ ref('a') }}",
			},
			[]string{"cycle: model.a -> model.b -> model.a"}},
		{"several problems are reported together",
			map[string]string{
				"models/a.sql":      "select * from {{ ref('nope') }}",
				"models/b.sql":      "select *\nfrom {{ source('raw', 'nope') }}",
				"models/sub/a.sql":  "select 2",
				"models/schema.yml": "version: 2\nmodels:\n  - name: ghost\n  - name: b\n    columns:\n      - name: id\n        data_tests: [not_null, unique, sometimes]\n",
				"models/src.yml":    sources,
				"tests/t.sql":       "select * from {{ ref('gone') }}",
			},
			[]string{
				`models/sub/a.sql: model "a" is also defined in models/a.sql; model names must be unique`,
				`models/schema.yml:3:5: model "ghost" is described here but there is no ghost.sql under models/`,
				`models/a.sql:1: ref("nope"): no model named "nope"`,
				`models/b.sql:2: source("raw", "nope"): source "raw" has no table "nope" (declared: meters, readings)`,
				`tests/t.sql:1: ref("gone"): no model named "gone"`,
				`models/schema.yml:7:40: unknown test "sometimes" (generic tests: accepted_values, not_null, relationships, unique; or write a singular test in tests/)`,
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := load(t, c.files)
			if err == nil {
				t.Fatalf("loaded %d nodes, want problems:\n%s", len(p.Nodes), strings.Join(c.want, "\n"))
			}
			if p != nil {
				t.Error("a failed load returned a project")
			}
			var probs project.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is %T, want project.Problems: %v", err, err)
			}
			if !slices.Equal([]string(probs), c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(probs, "\n"), strings.Join(c.want, "\n"))
			}
			if err.Error() != strings.Join(c.want, "\n") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}
