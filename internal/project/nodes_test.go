package project_test

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// shop is a small project touching every kind of node: sources with a
// custom schema and identifier, staging views in a custom schema, an
// ephemeral model, tables, an incremental model whose second parent is
// referenced only in its is_incremental() branch, generic tests of all
// four kinds on models and sources, and a singular test.
func shop() map[string]string {
	return map[string]string{
		"project.yml": `name: shop
models:
  +tags: [all]
  staging:
    +schema: staging
    +tags: staging
  core:
    +materialized: table
targets:
  dev:
    type: duckdb
    schema: analytics
`,
		"models/staging/sources.yml": `version: 2
sources:
  - name: raw
    schema: landing
    tables:
      - name: orders
        columns:
          - name: id
            data_tests: [not_null, unique]
      - name: customers
        identifier: customer_table
`,
		"models/staging/stg_orders.sql":    "select id, customer_id, status from {{ source('raw', 'orders') }}",
		"models/staging/stg_customers.sql": "{{ config(materialized='ephemeral') }}select * from {{ source('raw', 'customers') }}",
		"models/core/customers.sql":        "select * from {{ ref('stg_customers') }}",
		"models/core/late_orders.sql":      "select * from {{ ref('stg_orders') }}",
		"models/core/orders.sql": `{{ config(materialized='incremental', unique_key='id', tags=['hourly']) }}
select * from {{ ref('stg_orders') }}
{% if is_incremental() %}
union all
select * from {{ ref('late_orders') }} where id > (select max(id) from {{ this }})
{% endif %}`,
		"models/core/schema.yml": `version: 2
models:
  - name: orders
    config:
      tags: [props]
      schema: sales
    columns:
      - name: id
        data_tests:
          - unique
          - not_null:
              config:
                where: "status <> 'void'"
      - name: status
        data_tests:
          - accepted_values:
              values: [open, shipped]
              severity: warn
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
`,
		"tests/orders_positive.sql": "{{ config(severity='warn', tags=['x']) }}select * from {{ ref('orders') }} where id < 0",
	}
}

func TestLoadBuildsOneNodePerModelSourceAndTest(t *testing.T) {
	p := mustLoad(t, shop())
	type want struct {
		kind, name, path string
		rel              warehouse.Relation
		materialized     string
		parents          []string
		tags             []string
	}
	rel := func(schema, name string) warehouse.Relation { return warehouse.Relation{Schema: schema, Name: name} }
	orderTags := []string{"all", "props", "hourly"}
	wants := map[string]want{
		"source.raw.orders":    {"source", "raw.orders", "models/staging/sources.yml", rel("landing", "orders"), "", nil, nil},
		"source.raw.customers": {"source", "raw.customers", "models/staging/sources.yml", rel("landing", "customer_table"), "", nil, nil},
		"model.stg_orders": {"model", "stg_orders", "models/staging/stg_orders.sql", rel("analytics_staging", "stg_orders"), "view",
			[]string{"source.raw.orders"}, []string{"all", "staging"}},
		"model.stg_customers": {"model", "stg_customers", "models/staging/stg_customers.sql", rel("analytics_staging", "stg_customers"), "ephemeral",
			[]string{"source.raw.customers"}, []string{"all", "staging"}},
		"model.customers": {"model", "customers", "models/core/customers.sql", rel("analytics", "customers"), "table",
			[]string{"model.stg_customers"}, []string{"all"}},
		"model.late_orders": {"model", "late_orders", "models/core/late_orders.sql", rel("analytics", "late_orders"), "table",
			[]string{"model.stg_orders"}, []string{"all"}},
		"model.orders": {"model", "orders", "models/core/orders.sql", rel("analytics_sales", "orders"), "incremental",
			[]string{"model.late_orders", "model.stg_orders"}, orderTags},
		"test.unique_orders_id": {"test", "unique_orders_id", "models/core/schema.yml", rel("", ""), "",
			[]string{"model.orders"}, orderTags},
		"test.not_null_orders_id": {"test", "not_null_orders_id", "models/core/schema.yml", rel("", ""), "",
			[]string{"model.orders"}, orderTags},
		"test.accepted_values_orders_status__open__shipped": {"test", "accepted_values_orders_status__open__shipped", "models/core/schema.yml", rel("", ""), "",
			[]string{"model.orders"}, orderTags},
		"test.relationships_orders_customer_id__id__ref_customers": {"test", "relationships_orders_customer_id__id__ref_customers", "models/core/schema.yml", rel("", ""), "",
			[]string{"model.customers", "model.orders"}, orderTags},
		"test.source_not_null_raw_orders_id": {"test", "source_not_null_raw_orders_id", "models/staging/sources.yml", rel("", ""), "",
			[]string{"source.raw.orders"}, nil},
		"test.source_unique_raw_orders_id": {"test", "source_unique_raw_orders_id", "models/staging/sources.yml", rel("", ""), "",
			[]string{"source.raw.orders"}, nil},
		"test.orders_positive": {"test", "orders_positive", "tests/orders_positive.sql", rel("", ""), "",
			[]string{"model.orders"}, []string{"x"}},
	}
	for id, w := range wants {
		n, ok := p.Nodes[id]
		if !ok {
			t.Errorf("no node %s", id)
			continue
		}
		if n.ID != id || n.Kind != w.kind || n.Name != w.name || n.Path != w.path || n.Relation != w.rel {
			t.Errorf("%s: got id=%s kind=%s name=%s path=%s relation=%v, want kind=%s name=%s path=%s relation=%v",
				id, n.ID, n.Kind, n.Name, n.Path, n.Relation, w.kind, w.name, w.path, w.rel)
		}
		if w.kind == project.KindModel && n.Config.EffectiveMaterialized() != w.materialized {
			t.Errorf("%s: materialized %s, want %s", id, n.Config.EffectiveMaterialized(), w.materialized)
		}
		if got := sorted(n.Parents); !slices.Equal(got, w.parents) {
			t.Errorf("%s: parents %v, want %v", id, got, w.parents)
		}
		if !slices.Equal(n.Tags, w.tags) {
			t.Errorf("%s: tags %v, want %v", id, n.Tags, w.tags)
		}
		if got := sorted(p.Graph.Parents(id)); !slices.Equal(got, w.parents) {
			t.Errorf("%s: graph parents %v, want %v", id, got, w.parents)
		}
	}
	for id := range p.Nodes {
		if _, ok := wants[id]; !ok {
			t.Errorf("unexpected node %s", id)
		}
	}
	if m, ok := p.Model("orders"); !ok || m.ID != "model.orders" {
		t.Errorf("Model(orders) = %v, %v", m, ok)
	}
	if _, ok := p.Model("raw.orders"); ok {
		t.Error("Model(raw.orders) found a source")
	}
}

func TestLoadDescribesEachGenericTest(t *testing.T) {
	p := mustLoad(t, shop())
	cases := []struct {
		id   string
		want project.Test
	}{
		{"test.unique_orders_id", project.Test{Generic: "unique", On: "model.orders", Column: "id", Severity: quality.SeverityError}},
		{"test.not_null_orders_id", project.Test{Generic: "not_null", On: "model.orders", Column: "id", Severity: quality.SeverityError, Where: "status <> 'void'"}},
		{"test.accepted_values_orders_status__open__shipped", project.Test{Generic: "accepted_values", On: "model.orders", Column: "status", Severity: quality.SeverityWarn}},
		{"test.relationships_orders_customer_id__id__ref_customers", project.Test{Generic: "relationships", On: "model.orders", Column: "customer_id", Severity: quality.SeverityError, To: "model.customers"}},
		{"test.source_not_null_raw_orders_id", project.Test{Generic: "not_null", On: "source.raw.orders", Column: "id", Severity: quality.SeverityError}},
		{"test.orders_positive", project.Test{Severity: quality.SeverityWarn}},
	}
	for _, c := range cases {
		n := p.Nodes[c.id]
		if n == nil || n.Test == nil {
			t.Errorf("%s: no test node", c.id)
			continue
		}
		got := *n.Test
		got.Args = nil
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got  %+v\n want %+v", c.id, got, c.want)
		}
		if (n.Test.Generic == "") != (n.Template != nil) {
			t.Errorf("%s: a singular test (and only one) has a template; generic=%q template=%v", c.id, n.Test.Generic, n.Template != nil)
		}
	}
	av := p.Nodes["test.accepted_values_orders_status__open__shipped"].Test.Args["values"]
	if vals, ok := av.([]any); !ok || len(vals) != 2 || vals[0] != "open" || vals[1] != "shipped" {
		t.Errorf("accepted_values args: %#v", av)
	}
}

// TestGenericTestNames pins the dbt-style names of generic tests, which
// users select with -s and see in run output.
func TestGenericTestNames(t *testing.T) {
	model := func(tests string) map[string]string {
		return map[string]string{
			"models/m.sql":     "select 1 as id, 'a' as status, 1 as oid",
			"models/other.sql": "select 1 as id",
			"models/src.yml":   "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n        columns:\n          - name: id\n            data_tests: [not_null]\n",
			"models/m.yml":     "version: 2\nmodels:\n  - name: m\n    columns:\n" + tests,
		}
	}
	cases := []struct {
		name, tests string
		want        []string // test IDs besides the source test
	}{
		{"not_null", "      - name: id\n        data_tests: [not_null]\n", []string{"test.not_null_m_id"}},
		{"unique", "      - name: id\n        tests: [unique]\n", []string{"test.unique_m_id"}},
		{"accepted values joined by double underscores, sanitized",
			"      - name: status\n        data_tests:\n          - accepted_values:\n              values: [a, 'b c', 1]\n",
			[]string{"test.accepted_values_m_status__a__b_c__1"}},
		{"accepted values under arguments:",
			"      - name: status\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: [x]\n              config:\n                severity: warn\n",
			[]string{"test.accepted_values_m_status__x"}},
		{"relationships to a ref",
			"      - name: oid\n        data_tests:\n          - relationships:\n              to: ref('other')\n              field: id\n",
			[]string{"test.relationships_m_oid__id__ref_other"}},
		{"relationships to a source",
			"      - name: oid\n        data_tests:\n          - relationships:\n              to: source('raw', 't')\n              field: id\n",
			[]string{"test.relationships_m_oid__id__source_raw_t"}},
		{"several tests on one column", "      - name: id\n        data_tests: [not_null, unique]\n", []string{"test.not_null_m_id", "test.unique_m_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustLoad(t, model(c.tests))
			var got []string
			for id, n := range p.Nodes {
				if n.Kind == project.KindTest && id != "test.source_not_null_raw_t_id" {
					got = append(got, id)
				}
			}
			if !slices.Equal(sorted(got), c.want) {
				t.Errorf("tests %v, want %v", sorted(got), c.want)
			}
			if p.Nodes["test.source_not_null_raw_t_id"] == nil {
				t.Error("source test test.source_not_null_raw_t_id missing")
			}
			for _, id := range c.want {
				if n := p.Nodes[id]; n.Name != strings.TrimPrefix(id, "test.") {
					t.Errorf("%s: name %q", id, n.Name)
				}
			}
		})
	}
}

// TestSameGenericTestTwiceGetsDistinctNames: two tests that would have the
// same name (here: the same values, different severities) are both kept,
// the later one with a suffix derived from its position.
func TestSameGenericTestTwiceGetsDistinctNames(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/m.sql": "select 'a' as status",
		"models/m.yml": `version: 2
models:
  - name: m
    columns:
      - name: status
        data_tests:
          - accepted_values:
              values: [a]
          - accepted_values:
              values: [a]
              severity: warn
`,
	})
	base := "test.accepted_values_m_status__a"
	if p.Nodes[base] == nil {
		t.Fatalf("no %s", base)
	}
	suffixed := regexp.MustCompile(`^` + base + `_[0-9a-f]{8}$`)
	var others []string
	for id := range p.Nodes {
		if suffixed.MatchString(id) {
			others = append(others, id)
		}
	}
	if len(others) != 1 {
		t.Fatalf("want one suffixed twin of %s, got %v", base, others)
	}
	if a, b := p.Nodes[base].Test.Severity, p.Nodes[others[0]].Test.Severity; a == b {
		t.Errorf("both tests have severity %s; the two declarations were not kept apart", a)
	}
}

func TestSchemaFor(t *testing.T) {
	for _, c := range []struct{ target, custom, want string }{
		{"analytics", "", "analytics"},
		{"analytics", "staging", "analytics_staging"},
		{"cdw", "cdw", "cdw_cdw"},
	} {
		if got := project.SchemaFor(c.target, c.custom); got != c.want {
			t.Errorf("SchemaFor(%q, %q) = %q, want %q", c.target, c.custom, got, c.want)
		}
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}
