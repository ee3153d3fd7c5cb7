package config

import (
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// dbtProjectYML is a dbt_project.yml in dbt's own conventions.
const dbtProjectYML = `name: 'jaffle'
version: '1.0.0'
config-version: 2
profile: 'jaffle_profile'
model-paths: ["models", "more_models"]
seed-paths: ["data"]
test-paths: ["tests"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]
analysis-paths: ["analyses"]
target-path: "build"
clean-targets: ["build", "dbt_packages"]
require-dbt-version: [">=1.5.0", "<2.0.0"]
vars:
  start_date: '2024-01-01'
  region: global
  jaffle:
    region: uk
  dbt_utils:
    surrogate_key_treat_nulls_as_empty_strings: true
on-run-start: "create schema if not exists audit"
dispatch:
  - macro_namespace: dbt_utils
    search_order: ['jaffle', 'dbt_utils']
quoting:
  identifier: false
models:
  +persist_docs: {relation: true}
  jaffle:
    +materialized: view
    staging:
      +schema: staging
      +tags: ["staging"]
      stg_orders:
        +materialized: table
        +docs: {node_color: red}
    marts:
      materialized: table
      +tags: marts
      nope: {+enabled: false}
  dbt_utils:
    +materialized: table
seeds:
  jaffle:
    +schema: raw
    +quote_columns: false
    payments:
      +column_types: {amount: "numeric(10,2)"}
      +alias: pay
`

// dbtFS is a dbt project tree around dbtProjectYML.
func dbtFS(profiles string) fstest.MapFS {
	fsys := fstest.MapFS{
		"dbt_project.yml":                        {Data: []byte(dbtProjectYML)},
		"models/staging/stg_orders.sql":          {Data: []byte("select 1")},
		"models/staging/stg_customers.sql":       {Data: []byte("select 1")},
		"models/marts/orders.sql":                {Data: []byte("select 1")},
		"more_models/extra.sql":                  {Data: []byte("select 1")},
		"data/payments.csv":                      {Data: []byte("id,amount\n1,2.5\n")},
		"data/customers.csv":                     {Data: []byte("id\n1\n")},
		"dbt_packages/dbt_utils/dbt_project.yml": {Data: []byte("name: dbt_utils\nmacro-paths: [macros, extra]\n")},
		"dbt_packages/dbt_utils/macros/star.sql": {Data: []byte("{% macro star() %}*{% endmacro %}")},
		"dbt_packages/not_a_package/readme.md":   {Data: []byte("x")},
	}
	if profiles != "" {
		fsys["profiles.yml"] = &fstest.MapFile{Data: []byte(profiles)}
	}
	return fsys
}

const jaffleProfiles = `config:
  send_anonymous_usage_stats: false
jaffle_profile:
  target: "{{ env_var('DBT_TARGET', 'local') }}"
  outputs:
    local:
      type: duckdb
      path: jaffle.duckdb
      threads: 4
      extensions: [httpfs]
    dev:
      type: postgres
      host: "{{ env_var('PGHOST') }}"
      port: "{{ env_var('PGPORT', '5432') | as_number }}"
      user: loader
      pass: "{{ env_var('PGPASSWORD') }}"
      database: warehouse
      schema: dbt_dev
      keepalives_idle: 0
    rs:
      type: redshift
      method: iam
      host: rs.example.internal
      user: loader
      dbname: cdw
      cluster_id: c1
    sf:
      type: snowflake
      account: abc
`

// projectDir is the project folder as a profiles folder.
func projectDir(fsys fstest.MapFS) ProfileDir {
	return ProfileDir{Source: "the project folder", Path: "/work/jaffle", FS: fsys}
}

func TestLoadDBTProject(t *testing.T) {
	fsys := dbtFS(jaffleProfiles)
	p, err := Load(fsys, LoadOptions{ProfileDirs: []ProfileDir{projectDir(fsys)}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "jaffle" || p.Version != "1.0.0" || p.DBT == nil || p.DBT.Profile != "jaffle_profile" {
		t.Fatalf("name %q version %q dbt %+v", p.Name, p.Version, p.DBT)
	}
	wantPaths := Paths{Models: "models", Macros: "macros", Tests: "tests", Migrations: "migrations", Target: "build"}
	if p.Paths != wantPaths {
		t.Errorf("Paths = %+v, want %+v", p.Paths, wantPaths)
	}
	if !reflect.DeepEqual(p.DBT.ModelPaths, []string{"models", "more_models"}) || !reflect.DeepEqual(p.DBT.SeedPaths, []string{"data"}) {
		t.Errorf("model paths %v, seed paths %v", p.DBT.ModelPaths, p.DBT.SeedPaths)
	}
	if want := []string{"models", "more_models", "data", "tests", "macros", "snapshots"}; !reflect.DeepEqual(p.DBT.DocsPaths, want) {
		t.Errorf("DocsPaths = %v, want %v", p.DBT.DocsPaths, want)
	}
	wantPkgs := []Package{{Name: "dbt_utils", Dir: "dbt_packages/dbt_utils", MacroPaths: []string{"dbt_packages/dbt_utils/macros", "dbt_packages/dbt_utils/extra"}}}
	if !reflect.DeepEqual(p.DBT.Packages, wantPkgs) {
		t.Errorf("Packages = %+v, want %+v", p.DBT.Packages, wantPkgs)
	}
	wantVars := map[string]any{"start_date": "2024-01-01", "region": "uk"}
	if !reflect.DeepEqual(p.Vars, wantVars) {
		t.Errorf("Vars = %v, want %v (project-scoped vars win; package vars dropped)", p.Vars, wantVars)
	}
	if !reflect.DeepEqual(p.OnRunStart, Hooks{"create schema if not exists audit"}) {
		t.Errorf("OnRunStart = %v", p.OnRunStart)
	}
	if !reflect.DeepEqual(p.DBT.Dispatch, map[string][]string{"dbt_utils": {"jaffle", "dbt_utils"}}) {
		t.Errorf("Dispatch = %v", p.DBT.Dispatch)
	}
	cases := []struct {
		rel, mat, schema string
		tags             []string
	}{
		{"staging/stg_orders.sql", "table", "staging", []string{"staging"}},
		{"staging/stg_customers.sql", "view", "staging", []string{"staging"}},
		{"marts/orders.sql", "table", "", []string{"marts"}},
		{"extra.sql", "view", "", nil},
	}
	for _, c := range cases {
		got := p.ModelConfig(c.rel)
		if got.EffectiveMaterialized() != c.mat || got.Schema != c.schema || !reflect.DeepEqual(got.Tags, c.tags) {
			t.Errorf("ModelConfig(%s) = %s/%q/%v, want %s/%q/%v", c.rel, got.EffectiveMaterialized(), got.Schema, got.Tags, c.mat, c.schema, c.tags)
		}
	}
	pay := p.SeedConfig("payments.csv")
	if pay.Schema != "raw" || pay.QuoteColumns == nil || *pay.QuoteColumns || !reflect.DeepEqual(pay.ColumnTypes, map[string]string{"amount": "numeric(10,2)"}) {
		t.Errorf("SeedConfig(payments) = %+v", pay)
	}
	if cust := p.SeedConfig("customers.csv"); cust.Schema != "raw" || cust.ColumnTypes != nil {
		t.Errorf("SeedConfig(customers) = %+v", cust)
	}
	wantWarnings := []string{
		"dbt_project.yml:25:1: quoting: not supported by cdw (identifiers are always quoted); ignored",
		"dbt_project.yml:28:3: models.+persist_docs: not supported by cdw; ignored",
		"dbt_project.yml:36:9: models.jaffle.staging.stg_orders.+docs: not supported by cdw; ignored",
		"dbt_project.yml:40:7: models.jaffle.marts.nope: no folder or model named \"nope\" under models/marts; ignored",
		"dbt_project.yml:41:3: models.dbt_utils: cdw does not build the models of package dbt_utils; ignored",
		"dbt_project.yml:49:7: seeds.jaffle.payments.+alias: not supported by cdw for seeds; ignored",
		"/work/jaffle/profiles.yml:10:7: jaffle_profile.outputs.local.extensions: not used by cdw's duckdb targets; ignored",
		"/work/jaffle/profiles.yml:19:7: jaffle_profile.outputs.dev.keepalives_idle: not used by cdw's postgres targets; ignored",
		"/work/jaffle/profiles.yml:22:7: jaffle_profile.outputs.rs.method: method iam is not supported by cdw (it connects with host, user and password); ignored",
		"/work/jaffle/profiles.yml:26:7: jaffle_profile.outputs.rs.cluster_id: not used by cdw's redshift targets; ignored",
	}
	slices.Sort(wantWarnings)
	got := slices.Clone(p.Warnings)
	slices.Sort(got)
	if !reflect.DeepEqual(got, wantWarnings) {
		t.Errorf("Warnings:\n got %q\nwant %q", got, wantWarnings)
	}
}

func TestDBTProfileTargets(t *testing.T) {
	fsys := dbtFS(jaffleProfiles)
	env := map[string]string{"PGHOST": "db.internal", "PGPASSWORD": "s3cret", "DBT_TARGET": "dev"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	p, err := Load(fsys, LoadOptions{Env: lookup, ProfileDirs: []ProfileDir{projectDir(fsys)}})
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultTarget != "dev" || !reflect.DeepEqual(p.TargetNames(), []string{"dev", "local", "rs", "sf"}) {
		t.Fatalf("default %q, names %v", p.DefaultTarget, p.TargetNames())
	}
	dev, err := p.Target("")
	if err != nil {
		t.Fatal(err)
	}
	want := Target{Name: "dev", Type: TypePostgres, Host: "db.internal", Port: 5432, User: "loader", Password: "s3cret",
		DBName: "warehouse", Schema: "dbt_dev", Threads: 1, Pos: dev.Pos}
	if dev != want {
		t.Errorf("dev = %#v, want %#v", dev, want)
	}
	if dev.Pos.File != "/work/jaffle/profiles.yml" || dev.Pos.Line != 12 {
		t.Errorf("dev.Pos = %v", dev.Pos)
	}
	local, err := p.Target("local")
	if err != nil {
		t.Fatal(err)
	}
	if local.Type != TypeDuckDB || local.Path != "jaffle.duckdb" || local.Schema != "main" || local.Threads != 4 {
		t.Errorf("local = %#v", local)
	}
	if _, err := p.Target("sf"); err == nil || !strings.Contains(err.Error(), `unknown target type "snowflake"`) ||
		!strings.HasPrefix(err.Error(), "/work/jaffle/profiles.yml:28:13:") {
		t.Errorf("Target(sf) error = %v", err)
	}
	delete(env, "PGHOST")
	if _, err := p.Target("dev"); err == nil || !strings.Contains(err.Error(), "jaffle_profile.outputs.dev.host") && !strings.Contains(err.Error(), "targets.dev.host") {
		t.Errorf("Target(dev) without PGHOST: %v", err)
	} else if !strings.Contains(err.Error(), "environment variable PGHOST is not set") {
		t.Errorf("Target(dev) without PGHOST: %v", err)
	}
}

func TestDBTProfileSearch(t *testing.T) {
	empty := fstest.MapFS{}
	other := fstest.MapFS{"profiles.yml": {Data: []byte("jaffle_profile:\n  target: x\n  outputs:\n    x: {type: duckdb, path: x.duckdb}\n")}}
	fsys := dbtFS(jaffleProfiles)
	cases := []struct {
		name       string
		dirs       []ProfileDir
		wantErr    string
		wantFile   string
		wantTarget string
		wantNotice string
	}{
		{"first folder with a profiles.yml wins",
			[]ProfileDir{{Source: "$DBT_PROFILES_DIR", Path: "/env", FS: empty}, {Source: "~/.dbt", Path: "/home/u/.dbt", FS: other}, projectDir(fsys)},
			"", "/home/u/.dbt/profiles.yml", "x", ""},
		{"an explicit folder must have one",
			[]ProfileDir{{Source: "--profiles-dir", Path: "/flag", FS: empty, Required: true}, projectDir(fsys)},
			"no profiles.yml in /flag (--profiles-dir)", "", "", ""},
		{"none anywhere: the embedded default",
			[]ProfileDir{{Source: "~/.dbt", Path: "/home/u/.dbt", FS: empty}},
			"", "", DefaultDBTTarget, `no profiles.yml found (looked in /home/u/.dbt (~/.dbt)) for profile "jaffle_profile"; using an embedded DuckDB database at .cdw/jaffle.duckdb (target dev, schema main)`},
		{"a profiles.yml without the profile: the embedded default",
			[]ProfileDir{{Source: "~/.dbt", Path: "/home/u/.dbt", FS: fstest.MapFS{"profiles.yml": {Data: []byte("other:\n  outputs: {a: {type: duckdb}}\n")}}}},
			"", "", DefaultDBTTarget, `/home/u/.dbt/profiles.yml has no profile "jaffle_profile" for profile "jaffle_profile"; using an embedded DuckDB database at .cdw/jaffle.duckdb (target dev, schema main)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Load(fsys, LoadOptions{ProfileDirs: c.dirs})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.DBT.ProfileFile != c.wantFile || p.DefaultTarget != c.wantTarget || p.DBT.Notice != c.wantNotice {
				t.Errorf("file %q target %q notice %q", p.DBT.ProfileFile, p.DefaultTarget, p.DBT.Notice)
			}
			tgt, err := p.Target("")
			if err != nil {
				t.Fatal(err)
			}
			if c.wantNotice != "" && (tgt.Type != TypeDuckDB || tgt.Path != ".cdw/jaffle.duckdb" || tgt.Schema != "main") {
				t.Errorf("default target = %#v", tgt)
			}
		})
	}
}

func TestLoadDBTProjectErrors(t *testing.T) {
	src := `name: jaffle
model-paths: ["../outside"]
target-path: "."
models:
  jaffle:
    +materialized: tabel
    +unique_key: 3
seeds:
  +delimiter: ";;"
dispatch:
  - search_order: [a]
`
	fsys := fstest.MapFS{"dbt_project.yml": {Data: []byte(src)}}
	_, err := Load(fsys, LoadOptions{})
	want := []string{
		`dbt_project.yml:2:15: model-paths[0]: "../outside" must be a relative path inside the project`,
		`dbt_project.yml:3:14: target-path: the artifacts folder cannot be the project root`,
		`dbt_project.yml:6:20: models.jaffle.+materialized: unknown materialization "tabel"; did you mean "table"?`,
		`dbt_project.yml:7:18: models.jaffle.+unique_key: expected a column name or a list of column names, got integer 3`,
		`dbt_project.yml:9:15: seeds.+delimiter: expected one character other than a quote or a line break, got string ";;"`,
		`dbt_project.yml:11:5: dispatch[0]: missing required key "macro_namespace"`,
	}
	if got := diagLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got: %q\nwant: %q", got, want)
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a broken dbt_project.yml is reported as missing: %v", err)
	}
}

func TestProjectYMLWinsOverDBTProject(t *testing.T) {
	fsys := dbtFS("")
	fsys["project.yml"] = &fstest.MapFile{Data: []byte("name: cdw_project\n")}
	p, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "cdw_project" || p.DBT != nil || p.Warnings != nil {
		t.Errorf("loaded %q dbt=%v warnings=%v; project.yml must win", p.Name, p.DBT, p.Warnings)
	}
}
