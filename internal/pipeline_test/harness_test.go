package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/migrate"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// engine is a warehouse engine and the real project's target for it.
type engine struct {
	name   string
	target string // in the repository's project.yml
	open   func(t *testing.T, ctx context.Context) warehouse.Adapter
}

var engines = []engine{
	{"duckdb", "local", func(t *testing.T, ctx context.Context) warehouse.Adapter {
		a, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "local.duckdb")})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}},
	{"postgres", "dev", func(t *testing.T, ctx context.Context) warehouse.Adapter {
		a, err := postgres.Open(ctx, postgres.Options{URL: testenv.PostgresURL(t), MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}},
}

// forEachEngine runs body once per engine, each on a fresh warehouse.
func forEachEngine(t *testing.T, body func(t *testing.T, w *warehouseEnv)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			a := e.open(t, ctx)
			t.Cleanup(func() { _ = a.Close() })
			body(t, &warehouseEnv{ctx: ctx, a: a, engine: e, root: testenv.RepoRoot(t)})
		})
	}
}

// warehouseEnv is one engine's warehouse plus the repository's project.
type warehouseEnv struct {
	ctx    context.Context
	a      warehouse.Adapter
	engine engine
	root   string // repository root: project.yml, models/, migrations/
}

// migrateUp applies the repository's migrations.
func (w *warehouseEnv) migrateUp(t *testing.T) {
	t.Helper()
	m, err := migrate.New(w.a.DB(), w.a.Dialect().Name(), os.DirFS(filepath.Join(w.root, "migrations")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Up(w.ctx)
	if err != nil {
		t.Fatalf("migrate up: %v", err)
	}
	if len(res) == 0 {
		t.Fatal("migrate up applied nothing on a fresh warehouse")
	}
}

// extract lands every file under from with all of the project's extractors
// and returns the results by base name. A tool error fails the test.
func (w *warehouseEnv) extract(t *testing.T, from string) map[string]extract.FileResult {
	t.Helper()
	r, err := extract.NewRunner(w.a, "raw", extractors.All())
	if err != nil {
		t.Fatal(err)
	}
	chosen, err := r.Select(nil)
	if err != nil {
		t.Fatal(err)
	}
	jobs, ignored, err := r.Plan(from, chosen)
	if err != nil {
		t.Fatalf("plan %s: %v", from, err)
	}
	if len(ignored) > 0 {
		t.Fatalf("no extractor claims %v", ignored)
	}
	if err := r.CheckTables(w.ctx, chosen); err != nil {
		t.Fatal(err)
	}
	results, err := r.Run(w.ctx, jobs)
	if err != nil {
		t.Fatalf("extract %s: %v", from, err)
	}
	out := map[string]extract.FileResult{}
	for _, res := range results {
		out[filepath.Base(res.Path)] = res
	}
	return out
}

// loadProject loads the repository's project for the engine's target,
// with the adapter's own dialect.
func (w *warehouseEnv) loadProject(t *testing.T) *project.Project {
	t.Helper()
	fsys := os.DirFS(w.root)
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, err := cfg.Target(w.engine.target)
	if err != nil {
		t.Fatal(err)
	}
	if target.Type != w.engine.name {
		t.Fatalf("target %s is %s, want %s", w.engine.target, target.Type, w.engine.name)
	}
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: w.a.Dialect()})
	if err != nil {
		t.Fatalf("load project:\n%v", err)
	}
	return p
}

// build runs `cdw build` one level down: every seed, model and test of p,
// planned as the CLI plans a build, executed by run.Executor. Every seed
// and model must build and every test pass or warn; the results are
// returned by node ID.
func (w *warehouseEnv) build(t *testing.T, p *project.Project) map[string]run.Result {
	t.Helper()
	var ids []string
	for _, id := range p.Graph.Order() {
		if k := p.Nodes[id].Kind; k == project.KindSeed || k == project.KindModel || k == project.KindTest {
			ids = append(ids, id)
		}
	}
	plan := planBuild(p, ids)
	exec := &run.Executor{Adapter: w.a, Project: p, Compile: compile.Options{
		RunStartedAt: time.Date(2024, 9, 1, 6, 0, 0, 0, time.UTC), InvocationID: "pipeline-test",
	}}
	results := run.Execute(w.ctx, plan, exec.StepAny, run.Options{Threads: 4}) // StepAny loads seeds too, as cdw build does
	if len(results) != len(plan.Order) {
		t.Fatalf("%d results for %d planned nodes", len(results), len(plan.Order))
	}
	out := map[string]run.Result{}
	for _, r := range results {
		out[r.ID] = r
		n := p.Nodes[r.ID]
		switch {
		case (n.Kind == project.KindModel || n.Kind == project.KindSeed) && r.Status != run.StatusSuccess:
			t.Errorf("%s %s: %s: %s", n.Kind, r.ID, r.Status, r.Message)
		case n.Kind == project.KindTest && r.Status != run.StatusPass && r.Status != run.StatusWarn:
			t.Errorf("test %s: %s: %s", r.ID, r.Status, r.Message)
		case r.Status == run.StatusWarn:
			t.Logf("test %s warns: %s", r.ID, r.Message)
		}
	}
	return out
}

// planBuild is the CLI's build planning (internal/cli planFor with build
// set), copied: ephemeral models are left out (they are inlined), each
// node waits for its parents in the plan, and a model's tests also become
// parents of the models reading it — unless the test reads that model.
func planBuild(p *project.Project, ids []string) run.Plan {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	plan := run.Plan{Parents: map[string][]string{}}
	for _, id := range p.Graph.Order() {
		if n := p.Nodes[id]; n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
			continue
		}
		if in[id] {
			plan.Order = append(plan.Order, id)
			plan.Parents[id] = p.Graph.Parents(id)
		}
	}
	for _, id := range plan.Order {
		if p.Nodes[id].Kind != project.KindTest {
			continue
		}
		ancestors := map[string]bool{}
		for _, a := range p.Graph.Ancestors(id, -1) {
			ancestors[a] = true
		}
		for _, parent := range p.Graph.Parents(id) {
			for _, child := range p.Graph.Children(parent) {
				if in[child] && p.Nodes[child].Kind != project.KindTest && !ancestors[child] {
					plan.Parents[child] = append(plan.Parents[child], id)
				}
			}
		}
	}
	return plan
}

// query runs sql and returns all rows; an error fails the test.
func (w *warehouseEnv) query(t *testing.T, sql string, args ...any) [][]any {
	t.Helper()
	res, err := w.a.Query(w.ctx, sql, -1, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res.Rows
}

// count returns the single integer sql selects.
func (w *warehouseEnv) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	rows := w.query(t, sql, args...)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: %d rows", sql, len(rows))
	}
	n, ok := rows[0][0].(int64)
	if !ok {
		t.Fatalf("%s: got %T %v, want int64", sql, rows[0][0], rows[0][0])
	}
	return n
}

// checksums fingerprints the full contents of every relation the pipeline
// writes: the raw tables and every model that is built (not ephemeral).
// Rows are read ordered by all their columns, so the fingerprint does not
// depend on storage order.
func (w *warehouseEnv) checksums(t *testing.T, p *project.Project) map[string]string {
	t.Helper()
	rels := []warehouse.Relation{
		{Schema: "raw", Name: "file_registry"}, {Schema: "raw", Name: "rejected_records"},
		{Schema: "raw", Name: "d0010_readings"}, {Schema: "raw", Name: "halfhourly_consumption"},
	}
	for _, id := range p.Graph.Order() {
		n := p.Nodes[id]
		if n.Kind == project.KindModel && n.Config.EffectiveMaterialized() != config.MaterializedEphemeral {
			rels = append(rels, n.Relation)
		}
	}
	out := map[string]string{}
	for _, rel := range rels {
		cols, err := w.a.Columns(w.ctx, rel)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = fmt.Sprint(i + 1)
		}
		rows := w.query(t, fmt.Sprintf("select * from %s order by %s", w.a.Dialect().QuoteRelation(rel), strings.Join(order, ", ")))
		h := sha256.New()
		for _, row := range rows {
			for _, v := range row {
				fmt.Fprintf(h, "%T:%v\x1f", v, v)
			}
			h.Write([]byte{'\n'})
		}
		out[rel.String()] = fmt.Sprintf("%d rows, sha256 %s", len(rows), hex.EncodeToString(h.Sum(nil))[:16])
	}
	return out
}

// scratch loads an in-memory project on w's dialect.
func scratch(t *testing.T, w *warehouseEnv, files map[string]string) *project.Project {
	t.Helper()
	fsys := fstest.MapFS{"project.yml": {Data: []byte("name: scratch\ntargets:\n  duckdb:\n    type: duckdb\n    schema: analytics\n  postgres:\n    type: postgres\n    url: postgres://x@localhost/x\n    schema: analytics\n")}}
	for p, body := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, err := cfg.Target(w.engine.name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: w.a.Dialect()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// buildAll builds every model and runs every test of p, returning results
// by ID without judging them.
func buildAll(t *testing.T, w *warehouseEnv, p *project.Project) map[string]run.Result {
	t.Helper()
	var ids []string
	for _, id := range p.Graph.Order() {
		if p.Nodes[id].Kind != project.KindSource {
			ids = append(ids, id)
		}
	}
	exec := &run.Executor{Adapter: w.a, Project: p}
	out := map[string]run.Result{}
	for _, r := range run.Execute(w.ctx, planBuild(p, ids), exec.Step, run.Options{Threads: 2}) {
		out[r.ID] = r
	}
	return out
}
