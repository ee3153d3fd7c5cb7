package template

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// resolver knows models a, b and source raw.t.
type resolver struct{}

func (resolver) Ref(name string) (Relation, error) {
	switch name {
	case "a", "b":
		return Relation{Schema: "main", Name: name, Quoted: `"main"."` + name + `"`}, nil
	}
	return Relation{}, fmt.Errorf("ref(%q): no model named %q", name, name)
}

func (resolver) Source(src, tbl string) (Relation, error) {
	if src == "raw" && tbl == "t" {
		return Relation{Schema: "raw", Name: "t", Quoted: `"raw"."t"`}, nil
	}
	return Relation{}, fmt.Errorf("source(%q, %q): no such source table", src, tbl)
}

var macros = map[string]string{
	"macros/units.sql": `{% macro kwh(col, dp=3) %}round(cast({{ col }} as double precision), {{ dp }}){% endmacro %}
{% macro from_a() %}{{ ref('a') }}{% endmacro %}`,
	"macros/other.sql": `{% macro twice(x) %}{{ kwh(x) }} + {{ kwh(x) }}{% endmacro %}`,
}

func baseCtx() Context {
	return Context{
		Vars:         map[string]any{"days": 7, "sources": []any{"d0010", "billing"}},
		Env:          func(k string) (string, bool) { v, ok := map[string]string{"HOME_SCHEMA": "dev"}[k]; return v, ok },
		Target:       Target{Name: "local", Type: "duckdb", Schema: "main", Threads: 4},
		Resolver:     resolver{},
		This:         Relation{Schema: "main", Name: "m", Quoted: `"main"."m"`},
		RunStartedAt: time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC),
		InvocationID: "inv-1",
	}
}

func render(t *testing.T, src string, ctx Context) (*Output, error) {
	t.Helper()
	e, err := New(macros)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tpl, err := e.Parse("models/m.sql", src)
	if err != nil {
		return nil, err
	}
	return tpl.Render(ctx)
}

func TestRenderBuiltins(t *testing.T) {
	cases := []struct {
		name, src, want string
		incremental     bool
	}{
		{"ref", "select * from {{ ref('a') }}", `select * from "main"."a"`, false},
		{"source", "select * from {{ source('raw', 't') }}", `select * from "raw"."t"`, false},
		{"var", "where d > {{ var('days') }}", "where d > 7", false},
		{"var default", "limit {{ var('missing', 10) }}", "limit 10", false},
		{"var list", "{% for s in var('sources') %}'{{ s }}'{% if not loop.last %},{% endif %}{% endfor %}", "'d0010','billing'", false},
		{"env_var", "{{ env_var('HOME_SCHEMA') }}", "dev", false},
		{"env_var default", "{{ env_var('NOPE', 'x') }}", "x", false},
		{"this", "{{ this }} {{ this.schema }} {{ this.name }}", `"main"."m" main m`, false},
		{"target", "{{ target.name }}/{{ target.type }}/{{ target.schema }}/{{ target.threads }}", "local/duckdb/main/4", false},
		{"run_started_at", "{{ run_started_at }}", "2026-12-03 06:00:00.000000+00:00", false},
		{"is_incremental false", "{% if is_incremental() %}inc{% else %}full{% endif %}", "full", false},
		{"is_incremental true", "{% if is_incremental() %}inc{% else %}full{% endif %}", "inc", true},
		{"macro", "select {{ kwh('v') }}", "select round(cast(v as double precision), 3)", false},
		{"macro calling macro across files", "{{ twice('v') }}", "round(cast(v as double precision), 3) + round(cast(v as double precision), 3)", false},
		{"macro calling ref", "select * from {{ from_a() }}", `select * from "main"."a"`, false},
		{"comments and whitespace control", "{# note #}select {{- ' 1' -}}  ", "select 1", false},
		{"trailing newline kept", "select 1\n", "select 1\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := baseCtx()
			ctx.IsIncremental = c.incremental
			out, err := render(t, c.src, ctx)
			if err != nil {
				t.Fatal(err)
			}
			if out.SQL != c.want {
				t.Fatalf("got %q, want %q", out.SQL, c.want)
			}
		})
	}
}

func TestRenderRecordsDependenciesConfigAndVars(t *testing.T) {
	src := `{{ config(materialized='incremental', unique_key=['a', 'b'], tags='core') }}
select * from {{ ref('b') }} join {{ ref('a') }} using (x) join {{ ref('b') }} using (y)
join {{ source('raw', 't') }} using (z) where {{ var('days') }} > 0 and '{{ env_var('HOME_SCHEMA') }}' <> ''`
	out, err := render(t, src, baseCtx())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b", "a"}; !reflect.DeepEqual(out.Refs, want) {
		t.Errorf("Refs = %v, want %v", out.Refs, want)
	}
	if want := [][2]string{{"raw", "t"}}; !reflect.DeepEqual(out.Sources, want) {
		t.Errorf("Sources = %v, want %v", out.Sources, want)
	}
	wantCfg := map[string]any{"materialized": "incremental", "unique_key": []any{"a", "b"}, "tags": "core"}
	if !reflect.DeepEqual(out.Config, wantCfg) {
		t.Errorf("Config = %#v, want %#v", out.Config, wantCfg)
	}
	if !reflect.DeepEqual(out.Vars, []string{"days"}) || !reflect.DeepEqual(out.EnvVars, []string{"HOME_SCHEMA"}) {
		t.Errorf("Vars = %v, EnvVars = %v", out.Vars, out.EnvVars)
	}
	if strings.Contains(out.SQL, "config") {
		t.Errorf("config() call left text in SQL: %q", out.SQL)
	}
}

func TestRenderErrorsNameFileAndLine(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown ref", "select 1\nfrom {{ ref('nope') }}", `models/m.sql:2: ref("nope"): no model named "nope"`},
		{"unknown source", "\n\nfrom {{ source('raw', 'x') }}", `models/m.sql:3: source("raw", "x"): no such source table`},
		{"unknown var", "select\n{{ var('nope') }}", `models/m.sql:2: var "nope" is not defined in the project's vars or --vars, and no default was given`},
		{"unset env var", "{{ env_var('CDW_NOPE') }}", `models/m.sql:1: environment variable CDW_NOPE is not set and env_var() has no default`},
		{"unknown macro", "select 1\n\n\nfrom {{ nope('a') }}", `models/m.sql:4: unknown macro or function "nope"`},
		{"undefined variable", "select {{ nope }}", `models/m.sql:1: undefined variable "nope"`},
		{"ref arity", "{{ ref() }}", `models/m.sql:1: ref() takes one model name, e.g. ref('readings')`},
		{"raise_compiler_error", "\n{{ exceptions.raise_compiler_error('bad config') }}", `models/m.sql:2: bad config`},
		{"macro missing argument", "select {{ kwh() }}", `models/m.sql:1:`},
		{"syntax error", "select 1\n{% if x %}\nfrom t\n", `models/m.sql:`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := render(t, c.src, baseCtx())
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := err.(Errors); !ok {
				t.Fatalf("error type %T, want Errors", err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %q\nwant prefix %q", err.Error(), c.want)
			}
		})
	}
}

func TestNewRejectsDuplicateAndBrokenMacros(t *testing.T) {
	_, err := New(map[string]string{
		"macros/a.sql": "{% macro m() %}1{% endmacro %}",
		"macros/b.sql": "\n{% macro m() %}2{% endmacro %}",
		"macros/c.sql": "{% macro broken( %}",
	})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`macros/b.sql:2: macro "m" is also defined in macros/a.sql`, "macros/c.sql"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestRenderIsConcurrencySafe(t *testing.T) {
	e, err := New(macros)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := e.Parse("models/m.sql", "select {{ kwh('v') }} from {{ this }} {% if is_incremental() %}where 1=1{% endif %}")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 64)
	for i := range 64 {
		go func() {
			ctx := baseCtx()
			ctx.IsIncremental = i%2 == 0
			ctx.This = Relation{Quoted: fmt.Sprintf("t%d", i)}
			out, err := tpl.Render(ctx)
			if err != nil {
				done <- err.Error()
				return
			}
			want := fmt.Sprintf("select round(cast(v as double precision), 3) from t%d ", i)
			if i%2 == 0 {
				want += "where 1=1"
			}
			if out.SQL != want {
				done <- fmt.Sprintf("got %q want %q", out.SQL, want)
				return
			}
			done <- ""
		}()
	}
	for range 64 {
		if msg := <-done; msg != "" {
			t.Fatal(msg)
		}
	}
}
