package template

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// dbtOpts is an engine as a dbt project gives it: root macros, an
// installed package, dispatch config and docs.
func dbtOpts(log func(string)) Options {
	return Options{
		ProjectName: "jaffle",
		Macros: map[string]string{
			"macros/util.sql": `{% macro cents(col) %}{{ return(col ~ ' * 100') }}{% endmacro %}
{% macro statuses() %}{{ return(['placed', 'shipped']) }}{% endmacro %}
{% macro pick(x) %}{% if x > 1 %}{{ return('big') }}{% endif %}small{% endmacro %}
{% macro nested() %}{{ return(cents('a') ~ '!') }}{% endmacro %}
{% macro my_date(d) %}{{ return(adapter.dispatch('my_date', 'jaffle')(d)) }}{% endmacro %}
{% macro default__my_date(d) %}cast({{ d }} as date){% endmacro %}
{% macro duckdb__my_date(d) %}{{ d }}::date{% endmacro %}`,
			"macros/generic/positive.sql": "{% test positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} < 0\n{% endtest %}",
		},
		Packages: map[string]map[string]string{
			"dbt_utils": {
				"dbt_packages/dbt_utils/macros/star.sql": `{% macro star(from) %}{{ return(adapter.dispatch('star', 'dbt_utils')(from)) }}{% endmacro %}
{% macro default__star(from) %}*{% endmacro %}
{% macro postgres__star(from) %}{{ from }}.*{% endmacro %}
{% macro pivot_helper() %}ok{% endmacro %}
{% macro shared() %}utils{% endmacro %}`,
				"dbt_packages/dbt_utils/macros/tests.sql": "{%- test not_empty(model) -%}select 1 where not exists (select 1 from {{ model }}){%- endtest -%}",
			},
			"other": {"dbt_packages/other/macros/x.sql": `{% macro shared() %}other{% endmacro %}
{% macro star(from) %}other star{% endmacro %}`},
		},
		Dispatch:    map[string][]string{"dbt_utils": {"jaffle", "dbt_utils"}},
		Docs:        map[string]string{"orders": "One row per order."},
		TargetExtra: map[string]any{"database": "warehouse", "user": "loader", "profile_name": "jaffle"},
		Log:         log,
	}
}

func dbtRender(t *testing.T, opts Options, src string, ctx Context) (*Output, error) {
	t.Helper()
	e, err := NewEngine(opts)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	tpl, err := e.Parse("models/m.sql", src)
	if err != nil {
		return nil, err
	}
	return tpl.Render(ctx)
}

func TestDBTContext(t *testing.T) {
	pg := baseCtx()
	pg.Target = Target{Name: "dev", Type: "postgres", Schema: "analytics", Threads: 1}
	rs := baseCtx()
	rs.Target = Target{Name: "prod", Type: "redshift", Schema: "analytics", Threads: 8}
	cases := []struct {
		name, src, want string
		ctx             Context
	}{
		{"ref with the project name", "{{ ref('jaffle', 'a') }}", `"main"."a"`, baseCtx()},
		{"return a string", "{{ cents('amount') }}", "amount * 100", baseCtx()},
		{"return a list", "{% for s in statuses() %}{{ s }};{% endfor %}", "placed;shipped;", baseCtx()},
		{"return ends the macro", "{{ pick(2) }}/{{ pick(1) }}", "big/small", baseCtx()},
		{"return of a macro call", "{{ nested() }}", "a * 100!", baseCtx()},
		{"dispatch to the adapter's macro", "{{ my_date('d') }}", "d::date", baseCtx()},
		{"dispatch falls back to default__", "{{ my_date('d') }}", "cast(d as date)", pg},
		{"dispatch searches the project before the package", "{{ dbt_utils.star('t') }}", "t.*", pg},
		{"redshift falls back to postgres__", "{{ dbt_utils.star('t') }}", "t.*", rs},
		{"package macro on duckdb", "{{ dbt_utils.star('t') }}", "*", baseCtx()},
		{"a package macro by its bare name", "{{ pivot_helper() }}", "ok", baseCtx()},
		{"a name two packages share needs the package", "{{ dbt_utils.shared() }} {{ other.shared() }}", "utils other", baseCtx()},
		{"generic test blocks are macros", "{{ test_positive('t', 'x') }}", "\nselect * from t where x < 0\n", baseCtx()},
		{"package test blocks too", "{{ dbt_utils.test_not_empty('t') }}", "select 1 where not exists (select 1 from t)", baseCtx()},
		{"adapter.quote", `{{ adapter.quote('Order ID') }}`, `"Order ID"`, baseCtx()},
		{"adapter.type", `{{ adapter.type() }}`, "postgres", pg},
		{"target fields", "{{ target.name }} {{ target.database }} {{ target.user }} {{ target.profile_name }} {{ target.threads }}", "local warehouse loader jaffle 4", baseCtx()},
		{"doc", `{{ doc('orders') }}`, "One row per order.", baseCtx()},
		{"project_name", "{{ project_name }}", "jaffle", baseCtx()},
		{"execute is false without a warehouse", "{% if execute %}run{% else %}parse{% endif %}", "parse", baseCtx()},
		{"run_query is none without a warehouse", "{% set r = run_query('select 1') %}{{ r is none }}", "True", baseCtx()},
		{"statements are skipped without a warehouse", "{% call statement('s', fetch_result=True) %}select 1{% endcall %}{{ load_result('s') is none }}", "True", baseCtx()},
		{"run_started_at.strftime", "{{ run_started_at.strftime('%Y%m%d %H:%M') }}", "20261203 06:00", baseCtx()},
		{"generate_schema_name builtin", "{{ generate_schema_name('staging', none) }}|{{ generate_schema_name(none, none) }}", "main_staging|main", baseCtx()},
		{"generate_schema_name_for_env", "{{ generate_schema_name_for_env('staging', none) }}", "main", baseCtx()},
		{"cross-database helpers", "{{ dbt.concat(['a', 'b']) }} {{ hash('x') }} {{ dbt.type_string() }} {{ dbt.dateadd('day', 1, 'd') }}",
			"a || b md5(cast(x as text)) text (d + ((interval '1 day') * (1)))", baseCtx()},
		{"tojson and fromjson", `{{ tojson({'a': [1]}) }} {{ fromjson('{"b": 2}')['b'] }}`, `{"a":[1]} 2`, baseCtx()},
		{"None and should_store_failures", "{{ None is none }} {{ should_store_failures() }}", "True False", baseCtx()},
		{"relations are mappings, as packages check", `{{ ref('a') is mapping }} {{ ref('a').get('metadata', {}).get('type', '').endswith('Relation') }} {{ ref('a').is_cte }} {{ this.identifier }} {{ ref('a') ~ '' }}`, `True True False m "main"."a"`, baseCtx()},
		{"comments and whitespace", "{#- a comment -#}\n  {%- set x = 1 -%}\n  select {{ x }}  {#- trailing #}", "select 1", baseCtx()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := dbtRender(t, dbtOpts(nil), c.src, c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if out.SQL != c.want {
				t.Fatalf("got %q, want %q", out.SQL, c.want)
			}
		})
	}
}

func TestDBTContextErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"ref to a package's model", "{{ ref('dbt_utils', 'x') }}", `models/m.sql:1: ref("dbt_utils", "x"): cdw does not build the models of package dbt_utils`},
		{"ref to an unknown project", "{{ ref('nope', 'a') }}", `models/m.sql:1: ref("nope", "a"): no project or package named "nope"`},
		{"model versions", "{{ ref('a', v=2) }}", "models/m.sql:1: ref(): model versions are not supported by cdw"},
		{"dispatch without a macro", "\n{{ adapter.dispatch('nothing', 'dbt_utils')() }}", `models/m.sql:2: adapter.dispatch("nothing"): no macro duckdb__nothing, default__nothing in jaffle, dbt_utils`},
		{"unknown doc", "{{ doc('nope') }}", `models/m.sql:1: doc("nope"): no {% docs nope %} block in the project's .md files (docs blocks: orders)`},
		{"config.require of an unset key", "{{ config.require('unique_key') }}", `models/m.sql:1: config.require("unique_key"): the model does not set unique_key`},
		{"raise_compiler_error", "{{ exceptions.raise_compiler_error('stop here') }}", "models/m.sql:1: stop here"},
		{"a shared name is not global", "{{ shared() }}", `models/m.sql:1: unknown macro or function "shared"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := dbtRender(t, dbtOpts(nil), c.src, baseCtx())
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %v\nwant prefix %q", err, c.want)
			}
		})
	}
}

func TestConfigGetReadsTheNode(t *testing.T) {
	e, err := NewEngine(dbtOpts(nil))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := e.Parse("models/m.sql", "{{ config(unique_key='id') }}{{ config.get('materialized') }} {{ config.get('unique_key') }} {{ config.get('nope', 'dflt') }} {{ config.require('schema') }} {{ model.name }}")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.WithNode(NodeInfo{Name: "orders", ResourceType: "model", Config: map[string]any{"materialized": "table", "schema": "marts", "unique_key": "x"}}).Render(baseCtx())
	if err != nil {
		t.Fatal(err)
	}
	if want := "table id dflt marts orders"; out.SQL != want {
		t.Errorf("got %q, want %q (the render's config() wins over the node's)", out.SQL, want)
	}
	if _, err := tpl.Render(baseCtx()); err == nil || !strings.Contains(err.Error(), `config.require("schema")`) {
		t.Errorf("without node info, config.require must fail: %v", err)
	}
}

func TestLogGoesToTheEngineLog(t *testing.T) {
	var mu sync.Mutex
	var got []string
	logf := func(msg string) { mu.Lock(); got = append(got, msg); mu.Unlock() }
	src := "{{ log('quiet') }}{{ log('shown', info=True) }}{{ log('also', True) }}{{ print('p', 1) }}{{ exceptions.warn('careful') }}done"
	out, err := dbtRender(t, dbtOpts(logf), src, baseCtx())
	if err != nil {
		t.Fatal(err)
	}
	if out.SQL != "done" {
		t.Errorf("SQL = %q", out.SQL)
	}
	if want := []string{"shown", "also", "p 1", "warning: careful"}; !reflect.DeepEqual(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
}

// fakeWarehouse answers queries from a table of canned results and
// records what it was asked.
type fakeWarehouse struct {
	asked   []string
	answers map[string]*QueryResult
}

func (f *fakeWarehouse) query(sql string) (*QueryResult, error) {
	f.asked = append(f.asked, sql)
	for prefix, res := range f.answers {
		if strings.HasPrefix(sql, prefix) {
			return res, nil
		}
	}
	return nil, fmt.Errorf("relation does not exist")
}

func TestWarehouseAccess(t *testing.T) {
	wh := &fakeWarehouse{answers: map[string]*QueryResult{
		"select distinct status": {Columns: []string{"status"}, Rows: [][]any{{"placed"}, {"shipped"}}},
		"select count(*) as n":   {Columns: []string{"n", "m"}, Rows: [][]any{{int64(3), "x"}}},
		"select column_name":     {Columns: []string{"column_name", "data_type"}, Rows: [][]any{{"id", "integer"}, {"Amount", "double"}}},
	}}
	ctx := baseCtx()
	ctx.Query = wh.query
	src := `{%- set r = run_query('select distinct status from t order by 1') -%}
{%- for s in r.columns[0].values() %}{{ s }},{% endfor %} {{ r.rows[1][0] }} {{ r.rows[0]['status'] }} {{ r.column_names }} {{ r[0].status }}
{%- call statement('counts', fetch_result=True) %}select count(*) as n, 'x' as m from t{% endcall %}
{{ load_result('counts')['data'][0][0] }} {{ load_result('counts')['table'].columns['m'].values()[0] }}
{% for c in adapter.get_columns_in_relation(ref('a')) %}{{ c.quoted }} {{ c.data_type }};{% endfor %}
{%- if execute %} executing{% endif %}`
	out, err := dbtRender(t, dbtOpts(nil), src, ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "placed,shipped, shipped placed ['status'] placed\n3 x\n\"id\" integer;\"Amount\" double; executing"
	if out.SQL != want {
		t.Errorf("got  %q\nwant %q", out.SQL, want)
	}
	wantAsked := []string{"select distinct status from t order by 1", "select count(*) as n, 'x' as m from t",
		"select column_name, data_type from information_schema.columns where table_schema = 'main' and table_name = 'a' order by ordinal_position"}
	if !reflect.DeepEqual(wh.asked, wantAsked) {
		t.Errorf("asked:\n got %q\nwant %q", wh.asked, wantAsked)
	}
	if _, err := dbtRender(t, dbtOpts(nil), "\n{{ run_query('select broken') }}", ctx); err == nil ||
		err.Error() != "models/m.sql:2: run_query: relation does not exist" {
		t.Errorf("failing query: %v", err)
	}
}

func TestNewEngineReportsPackageMacroErrors(t *testing.T) {
	opts := dbtOpts(nil)
	opts.Packages["broken"] = map[string]string{"dbt_packages/broken/macros/a.sql": "{% macro a( %}"}
	if _, err := NewEngine(opts); err == nil || !strings.Contains(err.Error(), "dbt_packages/broken/macros/a.sql") {
		t.Errorf("err = %v", err)
	}
}

// TestListsBuiltInLoops: a list assigned with {% set %} and appended to
// inside a loop (or a macro's loop) is the same list outside, as in
// Jinja; other list operations still see a list.
func TestListsBuiltInLoops(t *testing.T) {
	opts := dbtOpts(nil)
	opts.Macros["macros/cols.sql"] = `{% macro keep(cols, drop) -%}
{%- set kept = [] -%}
{%- for c in cols -%}{%- if c not in drop -%}{% do kept.append(c) %}{%- endif -%}{%- endfor -%}
{{ return(kept) }}
{%- endmacro %}`
	cases := []struct{ src, want string }{
		{"{% set xs = [] %}{% for i in [1, 2, 3] %}{% do xs.append(i * 10) %}{% endfor %}{{ xs }} {{ xs | length }} {{ 20 in xs }}", "[10, 20, 30] 3 True"},
		{"{{ keep(['a', 'b', 'c'], ['b']) | join(', ') }}", "a, c"},
		{"{% set xs = [3] %}{% for i in [1] %}{% do xs.extend([4, 5]) %}{% endfor %}{% do xs.reverse() %}{{ xs }} {{ xs.pop() }} {{ xs }} {{ xs.index(4) }}", "[5, 4, 3] 3 [5, 4] 1"},
		{"{% set xs = ['b', 'a'] %}{% for x in xs | sort %}{{ x }}{% endfor %} {{ xs[0] }} {{ xs | first }} {{ tojson(xs) }}", `ab b b ["b","a"]`},
		{"{% set t = ['core'] %}{% do t.append('daily') %}{{ config(tags=t) }}{{ t | join('+') }}", "core+daily"},
		{"{% set ns = namespace(n=0) %}{% for i in [1, 2] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "3"},
	}
	for _, c := range cases {
		out, err := dbtRender(t, opts, c.src, baseCtx())
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if out.SQL != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.src, out.SQL, c.want)
		}
	}
}
