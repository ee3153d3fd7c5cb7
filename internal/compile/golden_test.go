package compile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/testenv"
)

// Golden files. Each testdata/scenarios/NAME.txtar is a small project (its
// project.yml declares targets named duckdb and postgres) plus:
//
//	setup.sql            DDL creating its sources, run before re-executing (both engines)
//	vars.yml             optional --vars overrides
//	inline/NAME.sql      optional ad-hoc SQL compiled with compile.Inline
//	want/nodes.txt       every node: materialization, relation, parents, file
//	want/ENGINE/ID.sql   the compiled SQL of each model and test
//	want/ENGINE/ID@incremental.sql   an incremental model compiled while its table exists
//	want/ENGINE/inline/NAME.sql      compiled inline SQL
//
// testdata/real_project.txtar holds the want/ sections of the project at
// the repository root (targets local and dev). The want/ sections are
// generated: go test ./internal/compile -update rewrites them.

func TestGoldenScenarios(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			goldenScenario(t, path)
		})
	}
}

// goldenScenario compiles one scenario archive and compares (or, with
// -update, rewrites) its want/ sections.
func goldenScenario(t *testing.T, path string) {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := generate(t, scenarioInput(t, a))
	compareOrUpdate(t, path, a, got, func(b []byte) error { return os.WriteFile(path, b, 0o644) })
}

const realProjectGolden = "testdata/real_project.txtar"

func TestGoldenRealProject(t *testing.T) {
	a, err := txtar.ParseFile(realProjectGolden)
	if os.IsNotExist(err) && *update {
		a = &txtar.Archive{}
	} else if err != nil {
		t.Fatal(err)
	}
	a.Comment = []byte("Compiled SQL of the project at the repository root (targets local → duckdb, dev → postgres).\n" +
		"A change to its models, macros or tests shows up here in review.\n" +
		"Rewrite with: go test ./internal/compile -update\n")
	got := generate(t, realProjectInput(t))
	compareOrUpdate(t, realProjectGolden, a, got, func(b []byte) error { return os.WriteFile(realProjectGolden, b, 0o644) })
}

// scenarioInput splits a scenario archive into the project's files, the
// --vars overrides and the inline SQL.
func scenarioInput(t *testing.T, a *txtar.Archive) compileInput {
	t.Helper()
	in := compileInput{
		fsys:    fstest.MapFS{},
		targets: map[string]string{"duckdb": "duckdb", "postgres": "postgres"},
		inline:  map[string]string{},
	}
	for _, f := range a.Files {
		switch {
		case strings.HasPrefix(f.Name, wantPrefix):
		case strings.HasPrefix(f.Name, inlinePrefix):
			in.inline[strings.TrimSuffix(strings.TrimPrefix(f.Name, inlinePrefix), ".sql")] = string(f.Data)
		case f.Name == "vars.yml":
			in.vars = parseVars(t, f.Data)
		default:
			in.fsys.(fstest.MapFS)[f.Name] = &fstest.MapFile{Data: f.Data}
		}
	}
	return in
}

func realProjectInput(t *testing.T) compileInput {
	return compileInput{
		fsys:    os.DirFS(testenv.RepoRoot(t)),
		targets: map[string]string{"duckdb": "local", "postgres": "dev"},
	}
}
