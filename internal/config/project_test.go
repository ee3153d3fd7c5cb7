package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// fullProject is the project.yml of a complete, valid project.
const fullProject = `name: meter_readings
version: "1"
paths:
  models: models
  target: ./build/target
vars:
  implausible_read_kwh: 100000
  greeting: "hello ${CDW_WHO:-world}"
  later: "{{ var('x') }}"
models:
  +materialized: view
  +tags: base
  staging:
    +schema: staging
    +tags: [staging]
    d0010:
      +tags: [d0010, staging]
      +enabled: false
  core:
    +materialized: table
    +unique_key: [mpan_core, read_at]
    +incremental_strategy: merge
target: local
targets:
  local: {type: duckdb, path: .cdw/local.duckdb, schema: main, threads: 4}
  dev:   {type: postgres, url: "${CDW_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}", schema: cdw_dev, threads: 4}
  uat:   {type: postgres, host: "${CDW_UAT_HOST}", port: 5432, user: "{{ env_var('CDW_UAT_USER') }}", password: "${CDW_UAT_PASSWORD}", dbname: cdw, schema: cdw, threads: 8}
  rs:
    type: redshift
    host: rs.example.internal
    user: loader
    password: "{{ env_var('CDW_RS_PASSWORD', 'fallback-secret') }}"
    dbname: cdw
`

// fullFS is a project tree for fullProject.
func fullFS() fstest.MapFS {
	return fstest.MapFS{
		"project.yml":                        {Data: []byte(fullProject)},
		"models/staging/d0010/stg_d0010.sql": {Data: []byte("select 1")},
		"models/staging/stg_meters.sql":      {Data: []byte("select 1")},
		"models/core/readings.sql":           {Data: []byte("select 1")},
		"models/marts/daily.sql":             {Data: []byte("select 1")},
		"models/top.sql":                     {Data: []byte("select 1")},
	}
}

// envOf returns a lookup over a fixed environment.
func envOf(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// diagLines returns the lines of a Diagnostics error, failing the test for
// any other error.
func diagLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ds yamlx.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is not yamlx.Diagnostics: %T %v", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

func TestLoadFullProject(t *testing.T) {
	p, err := Load(fullFS(), LoadOptions{Env: envOf("CDW_WHO", "cdw")})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p.Name != "meter_readings" || p.Version != "1" || p.DefaultTarget != "local" {
		t.Errorf("name/version/target = %q %q %q", p.Name, p.Version, p.DefaultTarget)
	}
	wantPaths := Paths{Models: "models", Macros: "macros", Tests: "tests", Migrations: "migrations", Target: "build/target"}
	if p.Paths != wantPaths {
		t.Errorf("paths = %+v, want %+v", p.Paths, wantPaths)
	}
	wantVars := map[string]any{"implausible_read_kwh": 100000, "greeting": "hello cdw", "later": "{{ var('x') }}"}
	if !reflect.DeepEqual(p.Vars, wantVars) {
		t.Errorf("vars = %#v, want %#v", p.Vars, wantVars)
	}
	if got := p.TargetNames(); !reflect.DeepEqual(got, []string{"dev", "local", "rs", "uat"}) {
		t.Errorf("TargetNames = %v", got)
	}
}

func TestModelConfigCascade(t *testing.T) {
	p, err := Load(fullFS(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := false
	tests := []struct {
		path string
		want ModelConfig
	}{
		{"top.sql", ModelConfig{Materialized: "view", Tags: []string{"base"}}},
		{"marts/daily.sql", ModelConfig{Materialized: "view", Tags: []string{"base"}}},
		{"staging/stg_meters.sql", ModelConfig{Materialized: "view", Schema: "staging", Tags: []string{"base", "staging"}}},
		// tags append down the tree (without repeating "staging"); other keys override.
		{"staging/d0010/stg_d0010.sql", ModelConfig{Materialized: "view", Schema: "staging", Tags: []string{"base", "staging", "d0010"}, Enabled: &f}},
		{"core/readings.sql", ModelConfig{Materialized: "table", Tags: []string{"base"}, UniqueKey: []string{"mpan_core", "read_at"}, IncrementalStrategy: "merge"}},
	}
	for _, tt := range tests {
		got := p.ModelConfig(tt.path)
		got.Origins = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ModelConfig(%q) = %+v, want %+v", tt.path, got, tt.want)
		}
	}
	cfg := p.ModelConfig("staging/d0010/stg_d0010.sql")
	wantOrigins := map[string]string{
		"materialized": "project.yml:11:18",
		"schema":       "project.yml:14:14",
		"tags":         "project.yml:17:14",
		"enabled":      "project.yml:18:17",
	}
	for k, want := range wantOrigins {
		if got := cfg.Origins[k].String(); got != want {
			t.Errorf("origin of %s = %s, want %s", k, got, want)
		}
	}
}

func TestModelConfigMerge(t *testing.T) {
	tr, fa := true, false
	folder := ModelConfig{Materialized: "view", Schema: "staging", Tags: []string{"a", "b"}, Enabled: &fa, UniqueKey: []string{"id"}}
	props := ModelConfig{Materialized: "table", Tags: []string{"b", "c"}}
	call := ModelConfig{Enabled: &tr, UniqueKey: []string{"k1", "k2"}, IncrementalStrategy: "append", Tags: []string{"d"}}
	got := folder.Merge(props).Merge(call)
	want := ModelConfig{Materialized: "table", Schema: "staging", Tags: []string{"a", "b", "c", "d"}, Enabled: &tr,
		UniqueKey: []string{"k1", "k2"}, IncrementalStrategy: "append"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged = %+v, want %+v", got, want)
	}
	// Merge must not alias its inputs.
	got.Tags[0] = "changed"
	*got.Enabled = false
	if folder.Tags[0] != "a" || !*call.Enabled {
		t.Error("Merge shares memory with its inputs")
	}
	if !(ModelConfig{}).IsEnabled() || (ModelConfig{Enabled: &fa}).IsEnabled() {
		t.Error("IsEnabled: unset means enabled, false means disabled")
	}
	if m := (ModelConfig{}).EffectiveMaterialized(); m != "view" {
		t.Errorf("default materialization = %q", m)
	}
	if s := (ModelConfig{UniqueKey: []string{"id"}}).EffectiveIncrementalStrategy(); s != "merge" {
		t.Errorf("strategy with key = %q", s)
	}
	if s := (ModelConfig{}).EffectiveIncrementalStrategy(); s != "append" {
		t.Errorf("strategy without key = %q", s)
	}
	if p := (ModelConfig{Materialized: "incremental", IncrementalStrategy: "merge"}).Check(); len(p) != 1 {
		t.Errorf("Check = %v, want the missing unique_key", p)
	}
}

func TestParseModelConfig(t *testing.T) {
	pos := yamlx.Pos{File: "models/core/readings.sql", Line: 1, Col: 4}
	cfg, err := ParseModelConfig(map[string]any{
		"materialized": "incremental", "unique_key": "reading_id", "tags": []any{"core"},
	}, pos)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Materialized != "incremental" || !reflect.DeepEqual(cfg.UniqueKey, []string{"reading_id"}) ||
		!reflect.DeepEqual(cfg.Tags, []string{"core"}) || cfg.Origins["unique_key"] != pos {
		t.Errorf("cfg = %+v", cfg)
	}
	_, err = ParseModelConfig(map[string]any{
		"materialized": "tabel", "enabled": "yes", "tags": []any{"a", 3}, "grants": map[string]any{},
		"incremental_strategy": "upsert", "schema": "", "colour": "red", "description": "x",
	}, pos)
	want := []string{
		`models/core/readings.sql:1:4: colour: unknown config key (expected one of: materialized, schema, tags, enabled, unique_key, incremental_strategy, on_schema_change, full_refresh, dedupe_by, event_time, batch_size, lookback, begin, pre_hook, post_hook, audit, dist, sort, sort_type, backup)`,
		`models/core/readings.sql:1:4: description: description is not a config key; describe models in a properties YAML file (models: - name: ... description: ...)`,
		`models/core/readings.sql:1:4: enabled: expected a boolean, got string "yes"`,
		`models/core/readings.sql:1:4: grants: dbt config not supported by cdw`,
		`models/core/readings.sql:1:4: incremental_strategy: unknown incremental strategy "upsert" (expected one of: append, merge, delete+insert, microbatch)`,
		`models/core/readings.sql:1:4: materialized: unknown materialization "tabel"; did you mean "table"?`,
		`models/core/readings.sql:1:4: schema: expected a schema name, got an empty string`,
		`models/core/readings.sql:1:4: tags: expected a tag or a list of tags, got integer 3 at position 2`,
	}
	if got := diagLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got: %q\nwant: %q", got, want)
	}
}

func TestLoadDiagnostics(t *testing.T) {
	dirs := fstest.MapFS{
		"models/staging/a.sql": {Data: []byte("select 1")},
		"models/core/b.sql":    {Data: []byte("select 1")},
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "missing name",
			src:  "version: \"1\"\n",
			want: []string{`project.yml:1:1: missing required key "name"`},
		},
		{
			name: "invalid name",
			src:  "name: Meter-Readings\n",
			want: []string{`project.yml:1:7: name: "Meter-Readings" is not a valid project name; use lowercase letters, digits and underscores, not starting with a digit`},
		},
		{
			name: "unknown top-level key with suggestion",
			src:  "name: p\ntragets: {}\n",
			want: []string{`project.yml:2:1: tragets: unknown key; did you mean "targets"?`},
		},
		{
			name: "dbt key hint",
			src:  "name: p\nmodel-paths: [models]\n",
			want: []string{`project.yml:2:1: model-paths: dbt key; cdw sets the models folder with paths.models`},
		},
		{
			name: "folder key that is not a folder",
			src:  "name: p\nmodels:\n  stagin:\n    +schema: s\n",
			want: []string{`project.yml:3:3: models.stagin: no folder models/stagin; config keys start with '+'; did you mean "staging"?`},
		},
		{
			name: "config key without plus",
			src:  "name: p\nmodels:\n  materialized: table\n",
			want: []string{`project.yml:3:3: models.materialized: no folder models/materialized; config keys start with '+'; did you mean "+materialized"?`},
		},
		{
			name: "folder key with nothing close",
			src:  "name: p\nmodels:\n  marts:\n    +schema: s\n",
			want: []string{`project.yml:3:3: models.marts: no folder models/marts; config keys start with '+'`},
		},
		{
			name: "bad materialization and unknown plus key",
			src:  "name: p\nmodels:\n  +materialized: tabel\n  core:\n    +materialised: table\n",
			want: []string{
				`project.yml:3:18: models.+materialized: unknown materialization "tabel"; did you mean "table"?`,
				`project.yml:5:5: models.core.+materialised: unknown config key; did you mean "materialized"?`,
			},
		},
		{
			name: "description is not config",
			src:  "name: p\nmodels:\n  staging:\n    +description: staged\n",
			want: []string{`project.yml:4:5: models.staging.+description: description is not a config key; describe models in a properties YAML file (models: - name: ... description: ...)`},
		},
		{
			name: "wrong value types in folder config",
			src:  "name: p\nmodels:\n  +enabled: \"no\"\n  +tags: {a: b}\n  +unique_key: []\n",
			want: []string{
				`project.yml:3:13: models.+enabled: expected a boolean, got string "no"`,
				`project.yml:4:10: models.+tags: expected a tag or a list of tags, got a mapping`,
				`project.yml:5:16: models.+unique_key: expected at least one column`,
			},
		},
		{
			name: "paths outside the project",
			src:  "name: p\npaths:\n  models: ../elsewhere\n  target: /tmp/t\n",
			want: []string{
				`project.yml:3:11: paths.models: "../elsewhere" must be a relative path inside the project`,
				`project.yml:4:11: paths.target: "/tmp/t" must be a relative path inside the project`,
			},
		},
		{
			name: "target type and keys",
			src: "name: p\ntargets:\n  a: {type: duckdb, threads: four, host: h}\n  b: {type: postgre, url: x}\n" +
				"  c: {type: postgres, treads: 2}\n  d: {path: x}\n  e: {type: postgres, host: h, threads: 0, port: 70000, sslmode: requir}\n",
			want: []string{
				`project.yml:3:30: targets.a.threads: expected an integer, got string "four"`,
				`project.yml:3:36: targets.a.host: not used by duckdb targets (they take path, schema, threads)`,
				`project.yml:4:13: targets.b.type: unknown target type "postgre"; did you mean "postgres"?`,
				`project.yml:5:6: targets.c: postgres targets need url or host`,
				`project.yml:5:23: targets.c.treads: unknown key; did you mean "threads"?`,
				`project.yml:6:6: targets.d: missing required key "type"`,
				`project.yml:7:41: targets.e.threads: must be at least 1, got 0`,
				`project.yml:7:50: targets.e.port: must be a TCP port (1-65535), got 70000`,
				`project.yml:7:66: targets.e.sslmode: unknown sslmode "requir"; did you mean "require"?`,
			},
		},
		{
			name: "url and host together, bad url scheme",
			src:  "name: p\ntargets:\n  a: {type: postgres, url: \"mysql://u:pw@h/db\"}\n  b: {type: redshift, url: \"postgres://h/db\", host: h}\n",
			want: []string{
				`project.yml:3:28: targets.a.url: URL scheme must be postgres://, postgresql:// or secret://, got "mysql://"`,
				`project.yml:4:6: targets.b: set either url or host/port/user/password/dbname/sslmode, not both`,
			},
		},
		{
			name: "default target not declared",
			src:  "name: p\ntarget: locl\ntargets:\n  local: {type: duckdb}\n  dev: {type: duckdb}\n",
			want: []string{`project.yml:2:9: target: no target named "locl"; did you mean "local"? (targets: dev, local)`},
		},
		{
			name: "missing environment variable outside targets is eager",
			src:  "name: p\nvars:\n  who: ${CDW_NOBODY}\n",
			want: []string{`project.yml:3:8: vars.who: environment variable CDW_NOBODY is not set`},
		},
		{
			name: "template syntax inside a target is checked at load",
			src:  "name: p\ntargets:\n  a: {type: postgres, host: \"${CDW_HOST\", password: \"{{ env_var(CDW_PW) }}\"}\n",
			want: []string{
				`project.yml:3:29: targets.a.host: unterminated "${CDW_HOST" (use $${ for a literal ${)`,
				`project.yml:3:53: targets.a.password: unsupported template "{{ env_var(CDW_PW) }}"; only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }} are expanded here`,
			},
		},
		{
			name: "syntax error",
			src:  "name: p\ntargets:\n  local: {type: duckdb\n",
			want: []string{`project.yml:3: invalid YAML: did not find expected ',' or '}'`},
		},
		{
			name: "duplicate keys",
			src:  "name: p\ntargets:\n  a: {type: duckdb}\n  a: {type: duckdb}\nname: q\n",
			want: []string{
				`project.yml:4:3: targets.a: duplicate key, first set at line 3`,
				`project.yml:5:1: name: duplicate key, first set at line 1`,
			},
		},
		{
			name: "empty file",
			src:  "# nothing yet\n",
			want: []string{`project.yml: the file is empty; it needs at least a name: key`},
		},
		{
			name: "not a mapping",
			src:  "- name: p\n",
			want: []string{`project.yml:1:1: expected a mapping, got a list`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"project.yml": {Data: []byte(tt.src)}}
			for k, v := range dirs {
				fsys[k] = v
			}
			p, err := Load(fsys, LoadOptions{})
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want diagnostics", p)
			}
			if p != nil {
				t.Error("Load returned a project along with diagnostics")
			}
			if got := diagLines(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestLoadReportsAllProblemsTogether(t *testing.T) {
	src := `name: Bad
paths: {models: ../m}
models:
  +materialized: tabel
targets:
  local: {type: duckdb, threads: -1}
target: nope
`
	_, err := Load(fstest.MapFS{"project.yml": {Data: []byte(src)}}, LoadOptions{})
	want := []string{
		`project.yml:1:7: name: "Bad" is not a valid project name; use lowercase letters, digits and underscores, not starting with a digit`,
		`project.yml:2:17: paths.models: "../m" must be a relative path inside the project`,
		`project.yml:4:18: models.+materialized: unknown materialization "tabel"; did you mean "table"?`,
		`project.yml:6:34: targets.local.threads: must be at least 1, got -1`,
		`project.yml:7:9: target: no target named "nope" (targets: local)`,
	}
	if got := diagLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got: %q\nwant: %q", got, want)
	}
}

func TestLoadMissingProjectFile(t *testing.T) {
	_, err := Load(fstest.MapFS{"models/a.sql": {Data: []byte("select 1")}}, LoadOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "no project.yml (or dbt_project.yml)") {
		t.Errorf("err = %v, want both project files named", err)
	}
}

func TestProjectNameLevelIsAccepted(t *testing.T) {
	src := "name: meters\nmodels:\n  meters:\n    +materialized: table\n    staging:\n      +schema: stg\n"
	fsys := fstest.MapFS{"project.yml": {Data: []byte(src)}, "models/staging/a.sql": {Data: []byte("select 1")}}
	p, err := Load(fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.ModelConfig("staging/a.sql")
	if got.Materialized != "table" || got.Schema != "stg" {
		t.Errorf("config = %+v", got)
	}
}

func TestTargetsAreExpandedLazily(t *testing.T) {
	p, err := Load(fullFS(), LoadOptions{})
	if err != nil {
		t.Fatalf("a missing variable of an unused target broke Load: %v", err)
	}
	local, err := p.Target("")
	if err != nil {
		t.Fatal(err)
	}
	wantLocal := Target{Name: "local", Type: "duckdb", Path: ".cdw/local.duckdb", Schema: "main", Threads: 4,
		Pos: yamlx.Pos{File: "project.yml", Line: 25, Col: 10}}
	if !reflect.DeepEqual(local, wantLocal) {
		t.Errorf("local = %#v, want %#v", local, wantLocal)
	}
	dev, err := p.Target("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.URL != "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" || dev.Schema != "cdw_dev" {
		t.Errorf("dev = %v", dev)
	}
	_, err = p.Target("uat")
	want := []string{
		`project.yml:27:33: targets.uat.host: environment variable CDW_UAT_HOST is not set`,
		`project.yml:27:70: targets.uat.user: environment variable CDW_UAT_USER is not set`,
		`project.yml:27:113: targets.uat.password: environment variable CDW_UAT_PASSWORD is not set`,
	}
	if got := diagLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got: %q\nwant: %q", got, want)
	}
}

func TestTargetWithEnvironment(t *testing.T) {
	env := envOf("CDW_UAT_HOST", "uat-db.internal", "CDW_UAT_USER", "svc_cdw", "CDW_UAT_PASSWORD", "s3cr3t!",
		"CDW_PG_URL", "postgresql://app:hunter2@db:5432/cdw?sslmode=require&password=alsosecret")
	p, err := Load(fullFS(), LoadOptions{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	uat, err := p.Target("uat")
	if err != nil {
		t.Fatal(err)
	}
	want := Target{Name: "uat", Type: "postgres", Host: "uat-db.internal", Port: 5432, User: "svc_cdw",
		Password: "s3cr3t!", DBName: "cdw", Schema: "cdw", Threads: 8, Pos: yamlx.Pos{File: "project.yml", Line: 27, Col: 10}}
	if !reflect.DeepEqual(uat, want) {
		t.Errorf("uat = %+v, want %+v", uat, want)
	}
	rs, err := p.Target("rs")
	if err != nil {
		t.Fatal(err)
	}
	if rs.Port != 5439 || rs.Password != "fallback-secret" || rs.Schema != "public" || rs.Threads != 4 {
		t.Errorf("rs defaults = %+v", rs)
	}
	dev, err := p.Target("dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range []Target{uat, rs, dev} {
		for _, s := range []string{tg.String(), tg.Redacted(), fmt.Sprintf("%v %+v %#v %s", tg, tg, tg, tg)} {
			for _, secret := range []string{"s3cr3t!", "fallback-secret", "hunter2", "alsosecret"} {
				if strings.Contains(s, secret) {
					t.Errorf("%s leaks a secret: %s", tg.Name, s)
				}
			}
		}
	}
	if got, want := uat.Redacted(), "uat (postgres host=uat-db.internal port=5432 user=svc_cdw password=xxxxx dbname=cdw schema=cdw threads=8)"; got != want {
		t.Errorf("Redacted = %q, want %q", got, want)
	}
	if got, want := dev.Redacted(), "dev (postgres url=postgresql://app:xxxxx@db:5432/cdw?sslmode=require&password=xxxxx schema=cdw_dev threads=4)"; got != want {
		t.Errorf("Redacted = %q, want %q", got, want)
	}
}

func TestTargetSelection(t *testing.T) {
	p, err := Load(fullFS(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Target("loacl")
	if !errors.Is(err, ErrUnknownTarget) {
		t.Fatalf("err = %v, want ErrUnknownTarget", err)
	}
	want := `config: no target named "loacl"; did you mean "local"? (targets: dev, local, rs, uat): unknown target`
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}

	one, err := Load(fstest.MapFS{"project.yml": {Data: []byte("name: p\ntargets:\n  only: {type: duckdb}\n")}}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tg, err := one.Target(""); err != nil || tg.Name != "only" {
		t.Errorf("single target not selected by default: %v %v", tg, err)
	}
	none, err := Load(fstest.MapFS{"project.yml": {Data: []byte("name: p\ntargets:\n  a: {type: duckdb}\n  b: {type: duckdb}\n")}}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := none.Target(""); !errors.Is(err, ErrUnknownTarget) {
		t.Errorf("err = %v, want ErrUnknownTarget when nothing selects a target", err)
	}
}

func TestTargetExpandedValueIsValidated(t *testing.T) {
	src := "name: p\ntargets:\n  a: {type: postgres, host: h, threads: \"${CDW_THREADS}\", port: \"{{ env_var('CDW_PORT') | int }}\"}\n"
	p, err := Load(fstest.MapFS{"project.yml": {Data: []byte(src)}}, LoadOptions{Env: envOf("CDW_THREADS", "four", "CDW_PORT", "6543")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Target("a")
	want := []string{`project.yml:3:41: targets.a.threads: expected an integer, got "four" (from ${CDW_THREADS})`}
	if got := diagLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics:\n got: %q\nwant: %q", got, want)
	}
	p2, err := Load(fstest.MapFS{"project.yml": {Data: []byte(src)}}, LoadOptions{Env: envOf("CDW_THREADS", "6", "CDW_PORT", "6543")})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := p2.Target("a")
	if err != nil || tg.Threads != 6 || tg.Port != 6543 {
		t.Errorf("target = %+v, %v", tg, err)
	}
}
