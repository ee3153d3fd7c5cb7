package project_test

import (
	"slices"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// TestParents: a node's parents are the models it refs and the sources it
// reads, once each; an incremental model's refs count from both branches
// of is_incremental(), a view's only from the branch it renders.
func TestParents(t *testing.T) {
	base := map[string]string{
		"models/src.yml": "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n      - name: u\n",
		"models/a.sql":   "select 1 as id",
		"models/b.sql":   "select 1 as id",
	}
	cases := []struct {
		name, file, sql string
		want            []string
	}{
		{"ref", "models/x.sql", "select * from {{ ref('a') }}", []string{"model.a"}},
		{"source", "models/x.sql", "select * from {{ source('raw', 'u') }}", []string{"source.raw.u"}},
		{"refs and sources, each once", "models/x.sql",
			"select * from {{ ref('a') }} join {{ ref('a') }} using (id) join {{ source('raw', 't') }} using (id) join {{ source('raw', 't') }} using (id)",
			[]string{"model.a", "source.raw.t"}},
		{"incremental: ref inside is_incremental()", "models/x.sql",
			"{{ config(materialized='incremental') }}select * from {{ ref('a') }}{% if is_incremental() %} union all select * from {{ ref('b') }}{% endif %}",
			[]string{"model.a", "model.b"}},
		{"incremental: ref inside not is_incremental()", "models/x.sql",
			"{{ config(materialized='incremental') }}{% if not is_incremental() %}select * from {{ ref('b') }}{% else %}select * from {{ this }}{% endif %}",
			[]string{"model.b"}},
		{"incremental: source inside is_incremental()", "models/x.sql",
			"{{ config(materialized='incremental') }}select 1 as id{% if is_incremental() %} from {{ source('raw', 't') }}{% endif %}",
			[]string{"source.raw.t"}},
		{"view: is_incremental() branch never renders", "models/x.sql",
			"select * from {{ ref('a') }}{% if is_incremental() %} union all select * from {{ ref('b') }}{% endif %}",
			[]string{"model.a"}},
		{"this is not a parent", "models/x.sql", "{{ config(materialized='incremental') }}select * from {{ this }}", nil},
		{"singular test", "tests/x.sql", "select * from {{ ref('a') }} join {{ source('raw', 'u') }} using (id)", []string{"model.a", "source.raw.u"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := clone(base)
			files[c.file] = c.sql
			p := mustLoad(t, files)
			id := "model.x"
			if c.file == "tests/x.sql" {
				id = "test.x"
			}
			n := p.Nodes[id]
			if n == nil {
				t.Fatalf("no %s", id)
			}
			if got := sorted(n.Parents); !slices.Equal(got, c.want) {
				t.Errorf("parents %v, want %v", got, c.want)
			}
		})
	}
}

// TestConfigPrecedence: project.yml folders < properties YAML < config();
// deeper folders override shallower ones; tags append through every layer.
func TestConfigPrecedence(t *testing.T) {
	projectYML := `name: demo
models:
  +materialized: view
  +tags: [root]
  core:
    +materialized: table
    +schema: core
    +tags: [core]
    marts:
      +tags: marts
      +incremental_strategy: append
targets:
  dev:
    type: duckdb
    schema: analytics
`
	cases := []struct {
		name         string
		file, sql    string
		props        string // the model's entry under models: in properties YAML
		materialized string
		schema       string // the model's relation schema
		tags         []string
		uniqueKey    []string
		strategy     string
	}{
		{name: "models folder only", file: "models/m.sql", sql: "select 1",
			materialized: "view", schema: "analytics", tags: []string{"root"}, strategy: "append"},
		{name: "sub-folder overrides its parent", file: "models/core/m.sql", sql: "select 1",
			materialized: "table", schema: "analytics_core", tags: []string{"root", "core"}, strategy: "append"},
		{name: "sub-sub-folder inherits and adds", file: "models/core/marts/m.sql", sql: "select 1",
			materialized: "table", schema: "analytics_core", tags: []string{"root", "core", "marts"}, strategy: "append"},
		{name: "properties override folders", file: "models/core/m.sql", sql: "select 1",
			props:        "    config:\n      materialized: view\n      schema: props\n      tags: [props]\n",
			materialized: "view", schema: "analytics_props", tags: []string{"root", "core", "props"}, strategy: "append"},
		{name: "config() overrides properties", file: "models/core/m.sql",
			sql:          "{{ config(materialized='incremental', schema='sql', tags=['sql'], unique_key=['id', 'day']) }}select 1",
			props:        "    config:\n      materialized: view\n      schema: props\n      tags: [props]\n      unique_key: id\n",
			materialized: "incremental", schema: "analytics_sql", tags: []string{"root", "core", "props", "sql"},
			uniqueKey: []string{"id", "day"}, strategy: "merge"},
		{name: "folder strategy survives config() that sets the key", file: "models/core/marts/m.sql",
			sql:          "{{ config(materialized='incremental', unique_key='id') }}select 1",
			materialized: "incremental", schema: "analytics_core", tags: []string{"root", "core", "marts"},
			uniqueKey: []string{"id"}, strategy: "append"},
		{name: "a tag given twice is kept once", file: "models/core/m.sql", sql: "{{ config(tags=['core', 'x']) }}select 1",
			materialized: "table", schema: "analytics_core", tags: []string{"root", "core", "x"}, strategy: "append"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Folders must exist for project.yml to configure them.
			files := map[string]string{"project.yml": projectYML, "models/core/marts/keep.sql": "select 1"}
			files[c.file] = c.sql
			if c.props != "" {
				files["models/props.yml"] = "version: 2\nmodels:\n  - name: m\n" + c.props
			}
			p := mustLoad(t, files)
			n, ok := p.Model("m")
			if !ok {
				t.Fatal("no model m")
			}
			cfg := n.Config
			if cfg.EffectiveMaterialized() != c.materialized {
				t.Errorf("materialized %s, want %s", cfg.EffectiveMaterialized(), c.materialized)
			}
			if want := (warehouse.Relation{Schema: c.schema, Name: "m"}); n.Relation != want {
				t.Errorf("relation %v, want %v", n.Relation, want)
			}
			if !slices.Equal(n.Tags, c.tags) || !slices.Equal(cfg.Tags, c.tags) {
				t.Errorf("tags %v (config %v), want %v", n.Tags, cfg.Tags, c.tags)
			}
			if !slices.Equal(cfg.UniqueKey, c.uniqueKey) {
				t.Errorf("unique_key %v, want %v", cfg.UniqueKey, c.uniqueKey)
			}
			if got := cfg.EffectiveIncrementalStrategy(); got != c.strategy {
				t.Errorf("strategy %s, want %s", got, c.strategy)
			}
		})
	}
}

// TestDisabledModels: a model disabled at any layer is not a node, and
// generic tests declared on it are dropped with it.
func TestDisabledModels(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
	}{
		{"config()", map[string]string{"models/off.sql": "{{ config(enabled=false) }}select 1 as id"}},
		{"properties", map[string]string{"models/off.sql": "select 1 as id", "models/p.yml": "version: 2\nmodels:\n  - name: off\n    config:\n      enabled: false\n"}},
		{"folder", map[string]string{
			"project.yml":        "name: demo\nmodels:\n  old:\n    +enabled: false\ntargets:\n  dev:\n    type: duckdb\n    schema: analytics\n",
			"models/old/off.sql": "select 1 as id",
		}},
		{"properties re-enable a folder-disabled model, config() disables it again", map[string]string{
			"project.yml":        "name: demo\nmodels:\n  old:\n    +enabled: false\ntargets:\n  dev:\n    type: duckdb\n    schema: analytics\n",
			"models/old/off.sql": "{{ config(enabled=false) }}select 1 as id",
			"models/p.yml":       "version: 2\nmodels:\n  - name: off\n    config:\n      enabled: true\n",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := clone(c.files)
			files["models/on.sql"] = "select 1 as id"
			files["models/tests.yml"] = "version: 2\nmodels:\n  - name: on\n    columns:\n      - name: id\n        data_tests: [not_null]\n"
			if _, ok := files["models/p.yml"]; ok {
				files["models/p.yml"] += "    columns:\n      - name: id\n        data_tests: [unique]\n"
			}
			p := mustLoad(t, files)
			if _, ok := p.Model("off"); ok {
				t.Error("disabled model off is a node")
			}
			if _, ok := p.Model("on"); !ok {
				t.Error("model on is missing")
			}
			for id := range p.Nodes {
				if id != "model.on" && id != "test.not_null_on_id" {
					t.Errorf("unexpected node %s", id)
				}
			}
			if len(p.Graph.Order()) != len(p.Nodes) {
				t.Errorf("graph has %d nodes, project %d", len(p.Graph.Order()), len(p.Nodes))
			}
		})
	}
	t.Run("re-enabled by config()", func(t *testing.T) {
		p := mustLoad(t, map[string]string{
			"project.yml":       "name: demo\nmodels:\n  old:\n    +enabled: false\ntargets:\n  dev:\n    type: duckdb\n    schema: analytics\n",
			"models/old/on.sql": "{{ config(enabled=true) }}select 1 as id",
		})
		if _, ok := p.Model("on"); !ok {
			t.Error("config(enabled=true) did not override the folder's +enabled: false")
		}
	})
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
