package compile_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/migrate"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/seed"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// TestGoldenSQLRuns re-executes the golden SQL (as stored, not recompiled)
// on real engines, so goldens stay valid SQL on both: the sources are
// created (a scenario's setup.sql; the real project's migrations), then in
// graph order every model is created from its golden SQL (views as views,
// tables and incremental models as tables; ephemeral models are run as
// queries), an incremental model's @incremental SQL is run once its table
// exists, every test's failing-rows query is counted and inline SQL is run.
// Goldens that record a compile error are skipped.
func TestGoldenSQLRuns(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, path := range paths {
				t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
					rerunScenario(t, e, path)
				})
			}
			t.Run("real_project", func(t *testing.T) {
				a, err := txtar.ParseFile(realProjectGolden)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				w := openEngine(t, ctx, e.name)
				m, err := migrate.New(w.DB(), w.Dialect().Name(), os.DirFS(filepath.Join(testenv.RepoRoot(t), "migrations")))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := m.Up(ctx); err != nil {
					t.Fatalf("migrate up: %v", err)
				}
				rerun(t, ctx, w, e, realProjectInput(t), a)
			})
		})
	}
}

// rerunScenario runs a scenario's setup.sql (or setup.ENGINE.sql) on a
// fresh warehouse, then its golden SQL.
func rerunScenario(t *testing.T, e engine, path string) {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := openEngine(t, ctx, e.name)
	setup := section(a, "setup."+e.name+".sql")
	if setup == "" {
		setup = section(a, "setup.sql")
	}
	if setup != "" {
		if err := w.Exec(ctx, setup); err != nil {
			t.Fatalf("setup.sql: %v", err)
		}
	}
	rerun(t, ctx, w, e, scenarioInput(t, a), a)
}

// openEngine opens a fresh, empty warehouse: an in-memory DuckDB or a
// PostgreSQL database of the test's own. It is closed when the test ends.
func openEngine(t *testing.T, ctx context.Context, name string) warehouse.Adapter {
	t.Helper()
	var (
		a   warehouse.Adapter
		err error
	)
	switch name {
	case "duckdb":
		a, err = duckdb.Open(ctx, duckdb.Options{})
	case "postgres":
		a, err = postgres.Open(ctx, postgres.Options{URL: testenv.PostgresURL(t)})
	default:
		t.Fatalf("unknown engine %s", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func section(a *txtar.Archive, name string) string {
	for _, f := range a.Files {
		if f.Name == name {
			return string(f.Data)
		}
	}
	return ""
}

func rerun(t *testing.T, ctx context.Context, w warehouse.Adapter, e engine, in compileInput, a *txtar.Archive) {
	t.Helper()
	p := loadFor(t, in, e)
	golden := func(id, variant string) (string, bool) {
		name := wantName(e.name, id, variant)
		sql := section(a, name)
		if sql == "" {
			t.Errorf("no golden %s (go test ./internal/compile -update)", name)
			return "", false
		}
		return sql, !strings.HasPrefix(sql, "ERROR: ")
	}
	schemas := map[string]bool{}
	for _, id := range p.Graph.Order() {
		n := p.Nodes[id]
		if n.Kind == project.KindModel && n.Config.EffectiveMaterialized() != config.MaterializedEphemeral && !schemas[n.Relation.Schema] {
			schemas[n.Relation.Schema] = true
			if err := w.Exec(ctx, "create schema if not exists "+w.Dialect().QuoteIdent(n.Relation.Schema)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(p.Config.OnRunStart) > 0 {
		if sql, ok := golden("on-run-start", ""); ok {
			if err := w.Exec(ctx, sql); err != nil {
				t.Errorf("on-run-start golden SQL fails on %s: %v\n%s", e.name, err, sql)
			}
		}
	}
	for _, id := range p.Graph.Order() {
		n := p.Nodes[id]
		if n.Kind == project.KindSource {
			continue
		}
		if n.Kind == project.KindSeed {
			// A seed compiles to nothing: load its CSV as `cdw seed` does,
			// so the models and tests reading it can run.
			if _, err := seed.Load(ctx, w, seed.Spec{Relation: n.Relation, Columns: n.Seed.Columns,
				Delimiter: n.Seed.Delimiter, Path: n.Path, Open: n.Seed.Open}); err != nil {
				t.Errorf("%s: load on %s: %v", id, e.name, err)
			}
			continue
		}
		sql, ok := golden(id, "")
		if !ok {
			continue
		}
		rel := w.Dialect().QuoteRelation(n.Relation)
		var err error
		switch {
		case n.Kind == project.KindTest:
			_, err = w.Query(ctx, quality.CountSQL(sql), 1)
		case n.Config.EffectiveMaterialized() == config.MaterializedEphemeral:
			_, err = w.Query(ctx, sql, 1)
		case n.Config.EffectiveMaterialized() == config.MaterializedView:
			err = w.Exec(ctx, "create view "+rel+" as\n"+sql)
		default:
			err = w.Exec(ctx, "create table "+rel+" as\n"+sql)
		}
		if err != nil {
			t.Errorf("%s: golden SQL fails on %s: %v\n%s", id, e.name, err, sql)
			continue
		}
		if n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedIncremental {
			if inc, ok := golden(id, variantIncremental); ok {
				if _, err := w.Query(ctx, inc, 1); err != nil {
					t.Errorf("%s: incremental golden SQL fails on %s: %v\n%s", id, e.name, err, inc)
				}
			}
			if n.Config.IsMicrobatch() {
				if b, ok := golden(id, variantBatch); ok {
					if _, err := w.Query(ctx, b, 1); err != nil {
						t.Errorf("%s: batch golden SQL fails on %s: %v\n%s", id, e.name, err, b)
					}
				}
			}
		}
		if n.Kind == project.KindModel && len(n.Config.PreHook)+len(n.Config.PostHook) > 0 {
			if hooks, ok := golden(id, variantHooks); ok {
				if err := w.Exec(ctx, hooks); err != nil {
					t.Errorf("%s: hooks golden SQL fails on %s: %v\n%s", id, e.name, err, hooks)
				}
			}
		}
	}
	if len(p.Config.OnRunEnd) > 0 {
		if sql, ok := golden("on-run-end", ""); ok {
			if err := w.Exec(ctx, sql); err != nil {
				t.Errorf("on-run-end golden SQL fails on %s: %v\n%s", e.name, err, sql)
			}
		}
	}
	for _, name := range sortedKeys(in.inline) {
		if sql, ok := golden(inlinePrefix+name, ""); ok {
			if _, err := w.Query(ctx, sql, 1); err != nil {
				t.Errorf("inline %s: golden SQL fails on %s: %v\n%s", name, e.name, err, sql)
			}
		}
	}
}
