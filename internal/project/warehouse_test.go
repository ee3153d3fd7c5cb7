package project_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/seed"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// TestTemplatesReachTheWarehouse renders a dbt model whose SQL is built
// from the warehouse (run_query, {% call statement %} with load_result,
// adapter.get_columns_in_relation) with a Query backed by a real engine,
// as the executor renders it, after loading the seed it reads. Without a
// Query the same model renders its parse-time branch.
func TestTemplatesReachTheWarehouse(t *testing.T) {
	files := fstest.MapFS{
		"dbt_project.yml":    {Data: []byte("name: shop\n")},
		"seeds/regions.csv":  {Data: []byte("code,label\nN,North\nS,South\nE,East\n")},
		"models/pivoted.sql": {Data: []byte(pivotedSQL)},
	}
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		cfg, err := config.Load(files, config.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		target, _ := cfg.Target("")
		target.Type, target.Schema = a.Dialect().Name(), "main"
		if target.Type == config.TypePostgres {
			target.Schema = "public"
		}
		d := warehouse.Dialect(dialect.DuckDB(2, 0))
		if target.Type == config.TypePostgres {
			d = dialect.Postgres(150000)
		}
		p, err := project.Load(cfg, project.Options{FS: files, Target: target, Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		sn := p.Nodes["seed.regions"]
		if _, err := seed.Load(ctx, a, seed.Spec{Relation: sn.Relation, Columns: sn.Seed.Columns, Delimiter: sn.Seed.Delimiter, Path: sn.Path, Open: sn.Seed.Open}); err != nil {
			t.Fatal(err)
		}
		// The parse-time render (no warehouse) took the else branch.
		pure, err := compile.Compile(p, "model.pivoted", compile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(pure.SQL) != "select 0 as nothing" {
			t.Errorf("without a warehouse: %q", pure.SQL)
		}
		n := p.Nodes["model.pivoted"]
		out, err := n.Template.Render(template.Context{
			Target:       template.Target{Name: target.Name, Type: target.Type, Schema: target.Schema, Threads: 1},
			Resolver:     compile.Resolver{P: p},
			This:         template.Relation{Schema: n.Relation.Schema, Name: n.Relation.Name, Quoted: d.QuoteRelation(n.Relation)},
			RunStartedAt: time.Now(),
			Query: func(sql string) (*template.QueryResult, error) {
				res, err := a.Query(ctx, sql, -1)
				if err != nil {
					return nil, err
				}
				return &template.QueryResult{Columns: res.Columns, Rows: res.Rows}, nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := "select\n  count(case when code = 'E' then 1 end) as e_rows,\n  count(case when code = 'N' then 1 end) as n_rows,\n  count(case when code = 'S' then 1 end) as s_rows,\n  3 as total, 'code,label' as columns"
		if got := strings.TrimSpace(strings.Split(out.SQL, "\nfrom")[0]); got != want {
			t.Errorf("rendered with the warehouse:\n%s\nwant\n%s", got, want)
		}
		res, err := a.Query(ctx, out.SQL, -1)
		if err != nil {
			t.Fatalf("%s: %v", out.SQL, err)
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 5 {
			t.Errorf("the rendered query returns %v", res.Rows)
		}
	})
}

const pivotedSQL = `{%- if execute -%}
{%- set codes = run_query('select code from ' ~ ref('regions') ~ ' order by code').columns[0].values() -%}
{%- call statement('total', fetch_result=True) -%}select count(*) from {{ ref('regions') }}{%- endcall -%}
{%- set cols = [] -%}
{%- for c in adapter.get_columns_in_relation(ref('regions')) %}{% do cols.append(c.name) %}{% endfor -%}
select
{%- for code in codes %}
  count(case when code = '{{ code }}' then 1 end) as {{ code | lower }}_rows,
{%- endfor %}
  {{ load_result('total')['data'][0][0] }} as total, '{{ cols | join(",") }}' as columns
from {{ ref('regions') }}
{%- else -%}
select 0 as nothing
{%- endif %}
`
