package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	ucli "github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
	"github.com/cdw-dev/cdw/internal/warehouse/redshift"
)

// workspace is a project directory with its config and resolved target:
// what every command starts from.
type workspace struct {
	s          *settings
	dir        string
	fsys       fs.FS
	cfg        *config.Project
	targetName string
	target     config.Target
	vars       map[string]any
	env        envState // the target's deployment environment (cmd_env.go)
}

func loadWorkspace(c *ucli.Context, s *settings) (*workspace, error) {
	dir, err := filepath.Abs(c.String("project-dir"))
	if err != nil {
		return nil, invalid(err)
	}
	w := &workspace{s: s, dir: dir, fsys: os.DirFS(dir)}
	w.cfg, err = config.Load(w.fsys, config.LoadOptions{Env: s.env})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, invalidf("no project.yml in %s (use --project-dir): %v", dir, err)
		}
		return nil, invalid(err)
	}
	w.target, err = w.cfg.Target(c.String("target"))
	if err != nil {
		return nil, invalid(err)
	}
	w.targetName = w.target.Name
	if n := c.Int("threads"); n > 0 {
		w.target.Threads = n
	} else if n < 0 {
		return nil, invalidf("--threads must be at least 1")
	}
	if v := c.String("vars"); v != "" {
		if err := yaml.Unmarshal([]byte(v), &w.vars); err != nil {
			return nil, invalidf("--vars: not a YAML map: %v", err)
		}
	}
	if err := w.loadEnvironment(c); err != nil {
		return nil, err
	}
	return w, nil
}

// loadProject loads the workspace and its project: where most commands start.
func loadProject(c *ucli.Context, s *settings) (*workspace, *project.Project, error) {
	w, err := loadWorkspace(c, s)
	if err != nil {
		return nil, nil, err
	}
	p, err := w.project()
	if err != nil {
		return nil, nil, err
	}
	return w, p, nil
}

// pathFromCwd resolves a path the user typed on the command line (relative
// to the current directory, as shells complete them).
func (w *workspace) pathFromCwd(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// path resolves a project-relative path.
func (w *workspace) path(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(w.dir, filepath.FromSlash(rel))
}

// dialect is the target's SQL dialect, known without connecting.
func (w *workspace) dialect() (warehouse.Dialect, error) {
	switch w.target.Type {
	case config.TypeDuckDB:
		return dialect.DuckDB(2, 0), nil
	case config.TypePostgres:
		return dialect.Postgres(150000), nil
	case config.TypeRedshift:
		return redshift.Dialect{}, nil
	}
	return nil, invalidf("target %s: type %s is not supported yet (duckdb, postgres, redshift)", w.targetName, w.target.Type)
}

// project loads the project for the target.
func (w *workspace) project() (*project.Project, error) {
	d, err := w.dialect()
	if err != nil {
		return nil, err
	}
	p, err := project.Load(w.cfg, project.Options{FS: w.fsys, Target: w.target, Dialect: d, Vars: w.vars, Env: w.s.env})
	if err != nil {
		return nil, invalid(err)
	}
	return p, nil
}

// open connects to the target's warehouse: the prod guard first, then
// secrets resolved (errors redacted), then the per-PR schema registered
// when the target's environment is ephemeral.
func (w *workspace) open(ctx context.Context) (warehouse.Adapter, error) {
	if err := w.guard(ctx); err != nil {
		return nil, err
	}
	a, err := w.connect(ctx)
	if err != nil {
		return nil, w.s.redactor.Error(err)
	}
	if err := w.registerEphemeral(ctx, a); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// connect opens the adapter for the target's type.
func (w *workspace) connect(ctx context.Context) (warehouse.Adapter, error) {
	switch w.target.Type {
	case config.TypeDuckDB:
		path := ""
		if w.target.Path != "" {
			path = w.path(w.target.Path)
		}
		a, err := duckdb.Open(ctx, duckdb.Options{Path: path})
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", w.targetName, err)
		}
		return a, nil
	case config.TypePostgres:
		t, err := w.resolvedTarget(ctx)
		if err != nil {
			return nil, err
		}
		a, err := postgres.Open(ctx, postgres.Options{URL: postgresURL(t), MaxConns: w.target.Threads + 2})
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", w.target.Redacted(), err)
		}
		return a, nil
	case config.TypeRedshift:
		t, err := w.resolvedTarget(ctx)
		if err != nil {
			return nil, err
		}
		a, err := w.openRedshift(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", w.target.Redacted(), err)
		}
		return a, nil
	}
	return nil, invalidf("target %s: type %s is not supported yet (duckdb, postgres, redshift)", w.targetName, w.target.Type)
}

// postgresURL builds a connection URL from a target's url or its fields.
func postgresURL(t config.Target) string {
	if t.URL != "" {
		return t.URL
	}
	u := url.URL{Scheme: "postgres", Host: t.Host, Path: "/" + t.DBName}
	if t.Port != 0 {
		u.Host += ":" + strconv.Itoa(t.Port)
	}
	if t.User != "" {
		if t.Password != "" {
			u.User = url.UserPassword(t.User, t.Password)
		} else {
			u.User = url.User(t.User)
		}
	}
	if t.SSLMode != "" {
		u.RawQuery = "sslmode=" + url.QueryEscape(t.SSLMode)
	}
	return u.String()
}
