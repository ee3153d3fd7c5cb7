package artifacts

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/freshness"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

func loadResources(t *testing.T, csv string) *project.Project {
	t.Helper()
	fsys := fstest.MapFS{
		"project.yml":       {Data: []byte("name: demo\ntargets:\n  dev: {type: duckdb, schema: analytics}\n")},
		"seeds/codes.csv":   {Data: []byte(csv)},
		"seeds/codes.yml":   {Data: []byte("seeds:\n  - name: codes\n    config: {column_types: {n: bigint}}\n")},
		"models/src.yml":    {Data: []byte("sources:\n  - name: raw\n    loaded_at_field: loaded_at\n    freshness: {warn_after: {count: 6, period: hour}}\n    tables:\n      - name: reads\n")},
		"models/m.sql":      {Data: []byte("select * from {{ ref('codes') }}")},
		"models/u.yml":      {Data: []byte("unit_tests:\n  - name: u\n    model: m\n    given:\n      - {input: \"ref('codes')\", rows: []}\n    expect: {rows: []}\n")},
		"snapshots/h.yml":   {Data: []byte("snapshots:\n  - name: h\n    relation: ref('codes')\n    config: {strategy: check, unique_key: code, check_cols: all}\n")},
		"models/schema.yml": {Data: []byte("models:\n  - name: m\n    columns:\n      - name: code\n        data_tests:\n          - not_null: {config: {limit: 3, error_if: '>2', store_failures: true}}\n")},
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := cfg.Target("")
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: dialect.DuckDB(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManifestResources(t *testing.T) {
	p := loadResources(t, "code,n\na,1\n")
	m := BuildManifest(p, Metadata{})
	seed := m.Nodes["seed.demo.codes"]
	if seed == nil || seed.ResourceType != "seed" || seed.Path != "codes.csv" || seed.RelationName != `"analytics"."codes"` ||
		seed.Config["materialized"] != "seed" || seed.Columns["n"].DataType != "bigint" || seed.Columns["code"].DataType != "text" {
		t.Fatalf("seed = %+v", seed)
	}
	snap := m.Nodes["snapshot.demo.h"]
	if snap == nil || snap.Config["strategy"] != "check" || snap.Config["check_cols"] != "all" ||
		strings.Join(snap.DependsOn.Nodes, ",") != "seed.demo.codes" {
		t.Fatalf("snapshot = %+v", snap)
	}
	if u := m.UnitTests["unit_test.demo.u"]; u == nil || strings.Join(u.DependsOn.Nodes, ",") != "model.demo.m" || u.RelationName != "" {
		t.Fatalf("unit test = %+v", u)
	}
	if _, inNodes := m.Nodes["unit_test.demo.u"]; inNodes {
		t.Error("unit test also under nodes")
	}
	test := m.Nodes["test.demo.not_null_m_code"]
	if test.Config["limit"] != 3 || test.Config["error_if"] != ">2" || test.Config["store_failures"] != true {
		t.Errorf("test config = %v", test.Config)
	}
	src := m.Sources["source.demo.raw.reads"]
	if b, _ := json.Marshal(src.Config["freshness"]); src.Config["loaded_at_field"] != "loaded_at" || string(b) != `{"warn_after":{"count":6,"period":"hour"}}` {
		t.Errorf("source config = %v", src.Config)
	}
	// A changed CSV changes the seed's checksum (state:modified sees it).
	other := BuildManifest(loadResources(t, "code,n\na,2\n"), Metadata{})
	if other.Nodes["seed.demo.codes"].Checksum == seed.Checksum {
		t.Error("checksum did not change with the file")
	}
}

func TestRunResultsAndSources(t *testing.T) {
	p := loadResources(t, "code,n\na,1\n")
	rr := BuildRunResults(p, []run.Result{
		{ID: "unit_test.u", Outcome: run.Outcome{Status: run.StatusFail, Rows: 2}},
		{ID: "seed.codes", Outcome: run.Outcome{Status: run.StatusSuccess, Rows: 1}},
	}, Metadata{}, time.Second, nil)
	if r := rr.Results[0]; r.Failures == nil || *r.Failures != 2 || r.RelationName != "" {
		t.Errorf("unit test result = %+v", r)
	}
	if r := rr.Results[1]; r.RelationName != `"analytics"."codes"` || r.AdapterResponse["rows_affected"] != int64(1) {
		t.Errorf("seed result = %+v", r)
	}
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	f := p.Nodes["source.raw.reads"].Freshness
	chk := freshness.Check{ID: "source.raw.reads", LoadedAtField: f.LoadedAtField, Freshness: f.Decl}
	doc := BuildSources(p, []freshness.Result{
		{Check: chk, Status: freshness.StatusWarn, MaxLoadedAt: now.Add(-7 * time.Hour), Age: 7 * time.Hour, Now: now},
		{Check: chk, Status: freshness.StatusRuntimeError, Message: "relation does not exist"},
	}, []time.Duration{time.Second}, Metadata{}, time.Second)
	b, _ := json.Marshal(doc.Results)
	for _, want := range []string{`"unique_id":"source.demo.raw.reads","status":"warn","max_loaded_at":"2024-03-31T05:00:00.000000Z","snapshotted_at":"2024-03-31T12:00:00.000000Z","max_loaded_at_time_ago_in_s":25200`,
		`"criteria":{"warn_after":{"count":6,"period":"hour"},"filter":null}`, `"status":"runtime error"`, `"error":"relation does not exist"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("sources.json lacks %s:\n%s", want, b)
		}
	}
	if doc.Metadata.SchemaVersion != SourcesSchema {
		t.Errorf("schema %q", doc.Metadata.SchemaVersion)
	}
}
