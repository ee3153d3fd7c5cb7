package project_test

import (
	"testing"
	"testing/fstest"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// projectYML is the project.yml every fixture gets unless it brings its own:
// one DuckDB target whose schema is "analytics".
const projectYML = `name: demo
targets:
  dev:
    type: duckdb
    schema: analytics
`

// load loads a project made of files (path → content). project.yml is
// added when files has none.
func load(t *testing.T, files map[string]string) (*project.Project, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, body := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(body)}
	}
	if _, ok := fsys[config.ProjectFile]; !ok {
		fsys[config.ProjectFile] = &fstest.MapFile{Data: []byte(projectYML)}
	}
	cfg, err := config.Load(fsys, config.LoadOptions{})
	if err != nil {
		t.Fatalf("project.yml: %v", err)
	}
	target, err := cfg.Target("")
	if err != nil {
		t.Fatalf("target: %v", err)
	}
	return project.Load(cfg, project.Options{FS: fsys, Target: target, Dialect: dialect.DuckDB(2, 0)})
}

// mustLoad loads a project that must have no problems.
func mustLoad(t *testing.T, files map[string]string) *project.Project {
	t.Helper()
	p, err := load(t, files)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}
