package compile_test

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
	"gopkg.in/yaml.v3"
)

// engine is one warehouse engine the goldens are compiled for.
type engine struct {
	name    string // "duckdb" or "postgres": the folder under want/
	dialect warehouse.Dialect
}

// engines are compiled in this order; their dialects are the ones the CLI
// uses without connecting.
var engines = []engine{
	{"duckdb", dialect.DuckDB(2, 0)},
	{"postgres", dialect.Postgres(150000)},
}

// fixedOptions are the compile options of every golden: a fixed clock and
// invocation id, so output depends only on the project.
func fixedOptions() compile.Options {
	return compile.Options{
		RunStartedAt: time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC),
		InvocationID: "0190d4a2-0000-7000-8000-000000000001",
	}
}

// Section names inside a golden archive.
const (
	wantPrefix   = "want/"
	inlinePrefix = "inline/"
	nodesFile    = wantPrefix + "nodes.txt"
	// variantIncremental marks a model compiled while its table exists.
	variantIncremental = "@incremental"
	// variantBatch marks a microbatch model compiled for goldenBatch.
	variantBatch = "@batch"
	// variantHooks marks a model's rendered pre_hook and post_hook.
	variantHooks = "@hooks"
)

// goldenBatch is the window microbatch models are compiled for.
var goldenBatch = compile.Batch{Start: time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)}

// wantName is the golden section of node id (or inline/NAME) on an engine.
func wantName(engine, id, variant string) string {
	return wantPrefix + engine + "/" + id + variant + ".sql"
}

// compileInput is what one golden compiles: a project and how to load it.
type compileInput struct {
	fsys fs.FS
	// targets maps an engine name to the project's target for it.
	targets map[string]string
	// vars override project.yml vars (like --vars).
	vars map[string]any
	// inline maps a name to ad-hoc SQL compiled with compile.Inline.
	inline map[string]string
}

// loadFor loads the project for one engine.
func loadFor(t *testing.T, in compileInput, e engine) *project.Project {
	t.Helper()
	cfg, err := config.Load(in.fsys, config.LoadOptions{})
	if err != nil {
		t.Fatalf("%s: project.yml: %v", e.name, err)
	}
	target, err := cfg.Target(in.targets[e.name])
	if err != nil {
		t.Fatalf("%s: target: %v", e.name, err)
	}
	p, err := project.Load(cfg, project.Options{FS: in.fsys, Target: target, Dialect: e.dialect, Vars: in.vars})
	if err != nil {
		t.Fatalf("%s: load:\n%v", e.name, err)
	}
	return p
}

// generate compiles every model and test of the project for every engine
// and returns the want/ sections, in a stable order (nodes.txt, then per
// engine the nodes in graph order, then inline SQL by name). Along the way
// it checks what a golden file cannot show: the Incremental flag, and
// that --full-refresh or a missing table give the non-incremental SQL.
func generate(t *testing.T, in compileInput) []txtar.File {
	t.Helper()
	var out []txtar.File
	add := func(name, data string) {
		if data != "" && !strings.HasSuffix(data, "\n") {
			data += "\n"
		}
		if txtar.NeedsQuote([]byte(data)) {
			t.Fatalf("%s: compiled SQL has a line that looks like a txtar marker (-- x --); change the fixture", name)
		}
		out = append(out, txtar.File{Name: name, Data: []byte(data)})
	}
	var nodes string
	for _, e := range engines {
		p := loadFor(t, in, e)
		list := describeNodes(t, p)
		if nodes == "" {
			nodes = list
			add(nodesFile, nodes)
		} else if list != nodes {
			t.Errorf("%s: nodes differ from %s:\n%s\nvs\n%s", e.name, engines[0].name, list, nodes)
		}
		for _, id := range p.Graph.Order() {
			n := p.Nodes[id]
			if n.Kind == project.KindSource {
				continue
			}
			opts := fixedOptions()
			c, err := compile.Compile(p, id, opts)
			add(wantName(e.name, id, ""), sqlOrError(c, err))
			if err != nil {
				continue
			}
			if c.ID != id || c.Incremental {
				t.Errorf("%s %s: compiled ID %s, Incremental %v; want %s, false", e.name, id, c.ID, c.Incremental, id)
			}
			if n.Kind == project.KindModel && len(n.Config.PreHook)+len(n.Config.PostHook) > 0 {
				add(wantName(e.name, id, variantHooks), hooksOrError(compile.ModelHooks(p, id, fixedOptions(), false)))
			}
			if n.Kind != project.KindModel || n.Config.EffectiveMaterialized() != config.MaterializedIncremental {
				continue
			}
			checkIncremental(t, e, p, n, c.SQL)
			opts.IsTable = func(r warehouse.Relation) bool { return r == n.Relation }
			ci, err := compile.Compile(p, id, opts)
			add(wantName(e.name, id, variantIncremental), sqlOrError(ci, err))
			if n.Config.IsMicrobatch() {
				b := goldenBatch
				opts.Batch = &b
				cb, err := compile.Compile(p, id, opts)
				add(wantName(e.name, id, variantBatch), sqlOrError(cb, err))
			}
		}
		for _, which := range []string{"on-run-start", "on-run-end"} {
			hooks := p.Config.OnRunStart
			if which == "on-run-end" {
				hooks = p.Config.OnRunEnd
			}
			if len(hooks) > 0 {
				sqls, err := compile.RunHooks(p, which, hooks, fixedOptions())
				add(wantName(e.name, which, ""), hooksOrError(compile.Hooks{Post: sqls}, err))
			}
		}
		for _, name := range sortedKeys(in.inline) {
			sql, err := compile.Inline(p, in.inline[name], fixedOptions())
			if err != nil {
				sql = "ERROR: " + err.Error()
			}
			add(wantName(e.name, inlinePrefix+name, ""), sql)
		}
	}
	return out
}

// checkIncremental: is_incremental() is true only when the model's own
// table exists and --full-refresh is off.
func checkIncremental(t *testing.T, e engine, p *project.Project, n *project.Node, full string) {
	t.Helper()
	cases := []struct {
		name        string
		fullRefresh bool
		isTable     func(warehouse.Relation) bool
		incremental bool
	}{
		{"its table exists", false, func(r warehouse.Relation) bool { return r == n.Relation }, true},
		{"--full-refresh", true, func(r warehouse.Relation) bool { return true }, !n.Config.RebuildsOnFullRefresh(true)},
		{"only other tables exist", false, func(r warehouse.Relation) bool { return r != n.Relation }, false},
		{"a view of that name exists", false, func(r warehouse.Relation) bool { return false }, false},
	}
	for _, c := range cases {
		opts := fixedOptions()
		opts.FullRefresh, opts.IsTable = c.fullRefresh, c.isTable
		got, err := compile.Compile(p, n.ID, opts)
		if err != nil {
			t.Errorf("%s %s (%s): %v", e.name, n.ID, c.name, err)
			continue
		}
		if got.Incremental != c.incremental {
			t.Errorf("%s %s (%s): Incremental = %v, want %v", e.name, n.ID, c.name, got.Incremental, c.incremental)
		}
		if !c.incremental && got.SQL != full {
			t.Errorf("%s %s (%s): SQL differs from the full build:\n%s\nvs\n%s", e.name, n.ID, c.name, got.SQL, full)
		}
	}
}

// hooksOrError lists rendered hooks, pre then post, separated by ";".
func hooksOrError(h compile.Hooks, err error) string {
	if err != nil {
		return "ERROR: " + err.Error()
	}
	var b strings.Builder
	for _, sql := range h.Pre {
		b.WriteString("-- pre_hook\n" + sql + ";\n")
	}
	for _, sql := range h.Post {
		b.WriteString(sql + ";\n")
	}
	return b.String()
}

func sqlOrError(c *compile.Node, err error) string {
	if err != nil {
		return "ERROR: " + err.Error()
	}
	return c.SQL
}

// describeNodes lists every node with what decides its SQL and where it
// goes: kind, materialization, relation, parents and compiled file.
func describeNodes(t *testing.T, p *project.Project) string {
	t.Helper()
	var b strings.Builder
	for _, id := range p.Graph.Order() {
		n := p.Nodes[id]
		fmt.Fprintf(&b, "%s\n", id)
		switch n.Kind {
		case project.KindSource:
			fmt.Fprintf(&b, "    relation: %s\n", p.Dialect.QuoteRelation(n.Relation))
		case project.KindModel:
			fmt.Fprintf(&b, "    materialized: %s", n.Config.EffectiveMaterialized())
			if n.Config.EffectiveMaterialized() == config.MaterializedIncremental {
				fmt.Fprintf(&b, " (%s, unique_key %v)", n.Config.EffectiveIncrementalStrategy(), n.Config.UniqueKey)
			}
			if c := n.Config; c.IsMicrobatch() {
				fmt.Fprintf(&b, "\n    batches: %s by %s from %s, lookback %d", c.BatchSize, c.EventTime, c.Begin, c.EffectiveLookback())
			}
			if c := n.Config; c.EventTime != "" && !c.IsMicrobatch() {
				fmt.Fprintf(&b, "\n    event_time: %s", c.EventTime)
			}
			fmt.Fprintf(&b, "\n    relation: %s\n", p.Dialect.QuoteRelation(n.Relation))
		case project.KindTest:
			if n.Test.Generic != "" {
				fmt.Fprintf(&b, "    test: %s on %s.%s, severity %s\n", n.Test.Generic, n.Test.On, n.Test.Column, n.Test.Severity)
			} else {
				fmt.Fprintf(&b, "    test: singular, severity %s\n", n.Test.Severity)
			}
		}
		if parents := slices.Sorted(slices.Values(n.Parents)); len(parents) > 0 {
			fmt.Fprintf(&b, "    parents: %s\n", strings.Join(parents, ", "))
		}
		if len(n.Tags) > 0 {
			fmt.Fprintf(&b, "    tags: %s\n", strings.Join(n.Tags, ", "))
		}
		if n.Kind != project.KindSource {
			c, err := compile.Compile(p, id, fixedOptions())
			if err == nil {
				fmt.Fprintf(&b, "    file: %s\n", c.File)
			}
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// parseVars reads a vars.yml section (--vars as YAML).
func parseVars(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var vars map[string]any
	if err := yaml.Unmarshal(data, &vars); err != nil {
		t.Fatalf("vars.yml: %v", err)
	}
	return vars
}

// compareOrUpdate checks the archive's want/ sections against got, or with
// -update rewrites them (keeping the comment and every other section).
func compareOrUpdate(t *testing.T, path string, a *txtar.Archive, got []txtar.File, write func([]byte) error) {
	t.Helper()
	if *update {
		var keep []txtar.File
		for _, f := range a.Files {
			if !strings.HasPrefix(f.Name, wantPrefix) {
				keep = append(keep, f)
			}
		}
		a.Files = append(keep, got...)
		if err := write(txtar.Format(a)); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := map[string]string{}
	for _, f := range a.Files {
		if strings.HasPrefix(f.Name, wantPrefix) {
			want[f.Name] = string(f.Data)
		}
	}
	seen := map[string]bool{}
	for _, f := range got {
		seen[f.Name] = true
		w, ok := want[f.Name]
		switch {
		case !ok:
			t.Errorf("%s: no section %s (go test ./internal/compile -update):\n%s", path, f.Name, f.Data)
		case w != string(f.Data):
			t.Errorf("%s: %s differs (go test ./internal/compile -update rewrites it)\n--- got\n%s--- want\n%s%s", path, f.Name, f.Data, w, firstDiff(string(f.Data), w))
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("%s: stale section %s: nothing compiles to it any more (go test ./internal/compile -update)", path, name)
		}
	}
}

// firstDiff points at the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("--- first difference, line %d:\n got  %q\n want %q\n", i+1, gl, wl)
		}
	}
	return ""
}
