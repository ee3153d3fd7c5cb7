// Package materializetest runs cdw's model materializations end to end —
// project loading, compilation, run.Executor and the warehouse — on DuckDB
// and PostgreSQL: time-window (microbatch) models with interval state,
// write-audit-publish, hooks, full_refresh and on_schema_change.
package materializetest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// projectYML declares the duckdb and postgres targets (schema analytics)
// that load picks by engine; extra is appended.
func projectYML(extra string) string {
	return "name: mt\ntargets:\n  duckdb: {type: duckdb, schema: analytics}\n  postgres: {type: postgres, url: 'postgres://x', schema: analytics}\n" + extra
}

// load loads an in-memory project for a's engine. files must include
// project.yml.
func load(t *testing.T, a warehouse.Adapter, files map[string]string) *project.Project {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, body := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target, err := cfg.Target(a.Dialect().Name())
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: a.Dialect()})
	if err != nil {
		t.Fatalf("load:\n%v", err)
	}
	return p
}

// plan orders every model (ephemeral ones are inlined) and, with tests,
// every data test, each waiting for its parents in the plan.
func plan(p *project.Project, tests bool) run.Plan {
	pl := run.Plan{Parents: map[string][]string{}}
	for _, id := range p.Graph.Order() {
		n := p.Nodes[id]
		switch {
		case n.Kind == project.KindModel && n.Config.EffectiveMaterialized() != config.MaterializedEphemeral,
			tests && n.Kind == project.KindTest:
			pl.Order = append(pl.Order, id)
			pl.Parents[id] = p.Graph.Parents(id)
		}
	}
	return pl
}

// runAt runs the plan with the clock at now and returns results by ID.
func runAt(t *testing.T, a warehouse.Adapter, p *project.Project, pl run.Plan, now time.Time, edit func(*compile.Options)) map[string]run.Result {
	t.Helper()
	opts := compile.Options{RunStartedAt: now, InvocationID: "inv-" + now.Format("20060102T1504")}
	if edit != nil {
		edit(&opts)
	}
	exec := &run.Executor{Adapter: a, Project: p, Compile: opts}
	out := map[string]run.Result{}
	for _, r := range run.Execute(enginetest.Ctx(t), pl, exec.Step, run.Options{Threads: 2}) {
		out[r.ID] = r
	}
	return out
}

// mustSucceed fails the test unless every result is a success or pass.
func mustSucceed(t *testing.T, when string, results map[string]run.Result) {
	t.Helper()
	for id, r := range results {
		if r.Status != run.StatusSuccess && r.Status != run.StatusPass {
			t.Fatalf("%s: %s: %s: %s", when, id, r.Status, r.Message)
		}
	}
}

func exec(t *testing.T, a warehouse.Adapter, sql string, args ...any) {
	t.Helper()
	if err := a.Exec(enginetest.Ctx(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func rows(t *testing.T, a warehouse.Adapter, sql string, args ...any) [][]any {
	t.Helper()
	res, err := a.Query(enginetest.Ctx(t), sql, -1, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res.Rows
}

// contents renders rel's columns (name and type) and its rows, sorted: two
// relations with equal contents give equal strings.
func contents(t *testing.T, a warehouse.Adapter, rel warehouse.Relation) string {
	t.Helper()
	cols, err := a.Columns(enginetest.Ctx(t), rel)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%s %s\n", c.Name, c.Type)
	}
	b.WriteString(renderRows(rows(t, a, "select * from "+a.Dialect().QuoteRelation(rel))))
	return b.String()
}

// identity is contents plus, on PostgreSQL, the table's OID and
// relfilenode and every row's xmin and ctid: it changes when the table is
// replaced, rewritten or any row is written, even with equal values.
func identity(t *testing.T, a warehouse.Adapter, rel warehouse.Relation) string {
	t.Helper()
	s := contents(t, a, rel)
	if a.Dialect().Name() == "postgres" {
		q := a.Dialect().QuoteRelation(rel)
		s += fmt.Sprintf("\nidentity %v\nrows %s", rows(t, a, "select oid::bigint, relfilenode::bigint from pg_class where oid = to_regclass($1)", q),
			renderRows(rows(t, a, "select xmin::text, ctid::text from "+q)))
	}
	return s
}

func renderRows(rs [][]any) string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		parts := make([]string, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case nil:
				parts[j] = "NULL"
			case time.Time:
				parts[j] = x.UTC().Format(time.RFC3339)
			default:
				parts[j] = fmt.Sprint(v)
			}
		}
		lines[i] = strings.Join(parts, " | ")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func rel(name string) warehouse.Relation { return warehouse.Relation{Schema: "analytics", Name: name} }

func jan(day int, hour ...int) time.Time {
	h := 0
	if len(hour) > 0 {
		h = hour[0]
	}
	return time.Date(2024, 1, day, h, 0, 0, 0, time.UTC)
}

var _ = context.Background
