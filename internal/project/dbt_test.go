package project_test

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/seed"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// dbtFiles is a small dbt project in dbt's own layout and conventions,
// with dbt features cdw reads and some it ignores with a warning.
var dbtFiles = map[string]string{
	"dbt_project.yml": `name: shop
version: '1.0'
profile: shop
model-paths: [models]
seed-paths: [data]
macro-paths: [macros]
test-paths: [tests]
vars:
  statuses: [placed, shipped, returned]
models:
  shop:
    staging:
      +materialized: view
      +schema: stg
    marts:
      +materialized: table
seeds:
  shop:
    +quote_columns: true
    orders:
      +column_types: {amount: "numeric(10,2)"}
`,
	"data/orders.csv":               "id,customer_id,amount,ordered_on,status\n1,10,12.50,2024-01-05,placed\n2,11,3,2024-01-06,shipped\n",
	"data/customers.csv":            "id,name,is_active\n10,Ann,true\n11,Bob,false\n",
	"data/docs.md":                  "{% docs orders_doc %}\nOne row per order.\n{% enddocs %}",
	"models/overview.md":            "{% docs status_doc %}\n  Where the order is:\n  placed, shipped or returned.\n{% enddocs %}",
	"models/staging/stg_orders.sql": "{{ config(persist_docs={'relation': true}) }}\nselect id, customer_id, amount, status from {{ ref('orders') }}",
	"models/marts/order_counts.sql": `select customer_id,
{%- for s in var('statuses') %}
  sum(case when status = '{{ s }}' then 1 else 0 end) as {{ s }}_orders{{ "," if not loop.last }}
{%- endfor %}
from {{ ref('stg_orders') }} group by 1`,
	"models/schema.yml": `version: 2
models:
  - name: stg_orders
    description: '{{ doc("orders_doc") }}'
    meta: {owner: shop}
    columns:
      - name: id
        tests: [unique, not_null]
      - name: status
        description: '{{ doc("status_doc") }}'
        data_tests:
          - accepted_values:
              values: "{{ var('statuses') }}"
              enabled: false
          - accepted_values: {values: [placed, shipped, returned]}
      - name: customer_id
        tests:
          - relationships: {to: ref('customers'), field: id}
          - positive
      - name: amount
        tests:
          - shoplib.at_most: {limit_value: 100, config: {severity: warn}}
`,
	"macros/schema_name.sql": `{% macro generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}_{{ node.resource_type }}{%- endif -%}
{%- endmacro %}
{% macro generate_alias_name(custom_alias_name, node) %}{{ node.name }}{% endmacro %}`,
	"tests/generic/positive.sql":              "{% test positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}",
	"tests/no_future_orders.sql":              "select * from {{ ref('orders') }} where ordered_on > current_date",
	"snapshots/orders_history.sql":            "{% snapshot orders_history %}select * from {{ ref('orders') }}{% endsnapshot %}",
	"dbt_packages/shoplib/dbt_project.yml":    "name: shoplib\n",
	"dbt_packages/shoplib/macros/at_most.sql": "{% test at_most(model, column_name, limit_value) %}\nselect * from {{ model }} where {{ column_name }} > {{ limit_value }}\n{% endtest %}",
}

func loadDBT(t *testing.T, files map[string]string, engine string) (*project.Project, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, body := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	target, err := cfg.Target("")
	if err != nil {
		t.Fatalf("target: %v", err)
	}
	d := dialect.DuckDB(2, 0)
	if engine == config.TypePostgres {
		target.Type = config.TypePostgres
		return project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: dialect.Postgres(150000)})
	}
	return project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: d})
}

func TestLoadDBTProject(t *testing.T) {
	p, err := loadDBT(t, dbtFiles, config.TypeDuckDB)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.DBT.Notice == "" {
		t.Error("no profile: the embedded default must be noticed")
	}
	// Relations: generate_schema_name overridden by the project's macro.
	rels := map[string]string{}
	for id, n := range p.Nodes {
		if n.Relation.Name != "" {
			rels[id] = n.Relation.Schema + "." + n.Relation.Name
		}
	}
	for id, want := range map[string]string{
		"seed.orders": "main.orders", "seed.customers": "main.customers",
		"model.stg_orders": "stg_model.stg_orders", "model.order_counts": "main.order_counts",
	} {
		if rels[id] != want {
			t.Errorf("%s relation = %q, want %q", id, rels[id], want)
		}
	}
	if got := p.Nodes["model.order_counts"].Config.EffectiveMaterialized(); got != "table" {
		t.Errorf("order_counts materialized %s, want table (marts folder)", got)
	}
	// Seeds: dbt's inference, column_types from the seeds: tree.
	var types []string
	for _, c := range p.Nodes["seed.orders"].Seed.Columns {
		types = append(types, c.Name+" "+c.Type)
	}
	if want := []string{"id integer", "customer_id integer", "amount numeric(10,2)", "ordered_on date", "status text"}; !reflect.DeepEqual(types, want) {
		t.Errorf("orders types %q, want %q", types, want)
	}
	if c := p.Nodes["seed.customers"].Seed.Columns[2]; c.Type != "boolean" || c.Kind != seed.KindBoolean {
		t.Errorf("customers.is_active = %+v", c)
	}
	// Descriptions: doc() blocks from .md files in any resource folder.
	stg := p.Nodes["model.stg_orders"]
	if stg.Description != "One row per order." || stg.Columns[1].Description != "Where the order is:\n  placed, shipped or returned." {
		t.Errorf("descriptions: %q / %q", stg.Description, stg.Columns[1].Description)
	}
	// Tests: built-ins, a project generic test (tests/generic), a
	// package generic test; the disabled one is gone; tests/generic is
	// not a singular test.
	var tests []string
	for id, n := range p.Nodes {
		if n.Kind == project.KindTest {
			tests = append(tests, strings.TrimPrefix(id, "test."))
		}
	}
	slices.Sort(tests)
	wantTests := []string{
		"accepted_values_stg_orders_status__placed__shipped__returned",
		"no_future_orders",
		"not_null_stg_orders_id",
		"positive_stg_orders_customer_id",
		"relationships_stg_orders_customer_id__id__ref_customers",
		"shoplib_at_most_stg_orders_amount",
		"unique_stg_orders_id",
	}
	if !reflect.DeepEqual(tests, wantTests) {
		t.Errorf("tests:\n got %q\nwant %q", tests, wantTests)
	}
	atMost := p.Nodes["test.shoplib_at_most_stg_orders_amount"]
	if atMost.Test.Severity != "warn" || !slices.Equal(atMost.Parents, []string{"model.stg_orders"}) {
		t.Errorf("package test: severity %s parents %v", atMost.Test.Severity, atMost.Parents)
	}
	c, err := compile.Compile(p, atMost.ID, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "select * from \"stg_model\".\"stg_orders\" where amount > 100"; strings.TrimSpace(c.SQL) != want {
		t.Errorf("package test SQL %q, want %q", c.SQL, want)
	}
	c, err = compile.Compile(p, "model.order_counts", compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"as placed_orders,", "as returned_orders\nfrom \"stg_model\".\"stg_orders\""} {
		if !strings.Contains(c.SQL, want) {
			t.Errorf("order_counts SQL lacks %q:\n%s", want, c.SQL)
		}
	}
	// Warnings: what cdw ignores, said rather than failed.
	wantWarnings := []string{
		"models/schema.yml:5:5: models[0].meta: not used by cdw in a model; ignored",
		"snapshots/orders_history.sql: {% snapshot %} blocks are not supported by cdw; ignored",
		"macro generate_alias_name is not used by cdw",
		"models/staging/stg_orders.sql: config(persist_docs=...): not supported by cdw; ignored",
	}
	all := strings.Join(p.Warnings, "\n")
	for _, w := range wantWarnings {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
	if len(p.Warnings) != len(wantWarnings) {
		t.Errorf("%d warnings, want %d:\n%s", len(p.Warnings), len(wantWarnings), all)
	}
}

func TestDBTSeedInferenceFollowsTheTarget(t *testing.T) {
	files := map[string]string{
		"dbt_project.yml": "name: shop\nseeds:\n  +quote_columns: false\n",
		"seeds/rates.csv": "Code,Rate\nA,0.5\n",
	}
	p, err := loadDBT(t, files, config.TypePostgres)
	if err != nil {
		t.Fatal(err)
	}
	cols := p.Nodes["seed.rates"].Seed.Columns
	if cols[0].TableName() != "code" || cols[1].Type != "float8" {
		t.Errorf("columns %+v: quote_columns: false folds names on PostgreSQL", cols)
	}
}

func TestDBTConfigGetAndLog(t *testing.T) {
	var mu sync.Mutex
	var said []string
	files := map[string]string{
		"dbt_project.yml": "name: shop\nmodels:\n  +materialized: table\n",
		"models/a.sql":    "{{ log('materialized as ' ~ config.get('materialized'), info=True) }}select '{{ config.get('materialized') }}' as m, '{{ config.get('meta', {}).get('owner', 'nobody') }}' as o",
	}
	fsys := fstest.MapFS{}
	for p, body := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := cfg.Target("")
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: dialect.DuckDB(2, 0),
		Log: func(m string) { mu.Lock(); said = append(said, m); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := compile.Compile(p, "model.a", compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "select 'table' as m, 'nobody' as o"; c.SQL != want {
		t.Errorf("SQL %q, want %q", c.SQL, want)
	}
	if len(said) == 0 || said[len(said)-1] != "materialized as table" {
		t.Errorf("log: %q", said)
	}
}

func TestDBTProjectErrors(t *testing.T) {
	files := map[string]string{
		"dbt_project.yml": "name: shop\n",
		"models/a.sql":    "select 1",
		"models/s.yml":    "models:\n  - name: a\n    description: '{{ doc(\"missing\") }}'\n    columns:\n      - name: x\n        tests: [not_a_test]\n",
		"macros/s.sql":    "{% macro generate_schema_name(custom_schema_name, node) %} {% endmacro %}",
	}
	_, err := loadDBT(t, files, config.TypeDuckDB)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`models/a.sql: generate_schema_name returned an empty schema for model a`,
		`models/s.yml:6:17: unknown test "not_a_test"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	files["macros/s.sql"] = ""
	_, err = loadDBT(t, files, config.TypeDuckDB)
	if err == nil || !strings.Contains(err.Error(), `models/a.sql: description of model a: doc("missing"): no {% docs missing %} block`) {
		t.Errorf("unknown doc: %v", err)
	}
}
