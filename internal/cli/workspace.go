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
	"strings"
	"sync"

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
	c          *ucli.Context
	logMu      sync.Mutex // serializes templateLog
}

func loadWorkspace(c *ucli.Context, s *settings) (*workspace, error) {
	w, err := openWorkspace(c, s)
	if err != nil {
		return nil, err
	}
	if err := w.useTarget(c, c.String("target")); err != nil {
		return nil, err
	}
	return w, nil
}

// openWorkspace reads the project's configuration without choosing a
// target (useTarget does).
func openWorkspace(c *ucli.Context, s *settings) (*workspace, error) {
	dir, err := filepath.Abs(c.String("project-dir"))
	if err != nil {
		return nil, invalid(err)
	}
	w := &workspace{s: s, dir: dir, fsys: os.DirFS(dir), c: c}
	profileDirs, err := profileDirs(c, s, dir)
	if err != nil {
		return nil, err
	}
	w.cfg, err = config.Load(w.fsys, config.LoadOptions{Env: s.env, ProfileDirs: profileDirs})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, invalidf("no project.yml in %s (use --project-dir): %v", dir, err)
		}
		return nil, invalid(err)
	}
	sayOnce(c, "config", w.cfg.Warnings, w.cfg.DBT)
	if v := c.String("vars"); v != "" {
		if err := yaml.Unmarshal([]byte(v), &w.vars); err != nil {
			return nil, invalidf("--vars: not a YAML map: %v", err)
		}
	}
	return w, nil
}

// useTarget makes name ("" for project.yml's default) the workspace's
// target, with --threads applied and its environment checked.
func (w *workspace) useTarget(c *ucli.Context, name string) error {
	t, err := w.cfg.Target(name)
	if err != nil {
		return invalid(err)
	}
	w.target, w.targetName = t, t.Name
	if n := c.Int("threads"); n > 0 {
		w.target.Threads = n
	} else if n < 0 {
		return invalidf("--threads must be at least 1")
	}
	return w.loadEnvironment(c)
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
	p, err := project.Load(w.cfg, project.Options{FS: w.fsys, Target: w.target, Dialect: d, Vars: w.vars, Env: w.s.env,
		Log: w.templateLog, Extractors: landers(w.s.extractors)})
	if err != nil {
		return nil, invalid(err)
	}
	if w.c != nil {
		sayOnce(w.c, "project", p.Warnings, nil)
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
	a, err := w.connectWaiting(ctx)
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

// profilesDirFlag is --profiles-dir: where a dbt project's profiles.yml is.
func profilesDirFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "profiles-dir", Usage: "folder of profiles.yml for a dbt project (default: $DBT_PROFILES_DIR, the project folder, ~/.dbt)"}
}

// profileDirs are the folders searched for a dbt project's profiles.yml,
// in dbt's order: --profiles-dir, $DBT_PROFILES_DIR (both must hold
// one), the project folder, then ~/.dbt.
func profileDirs(c *ucli.Context, s *settings, projectDir string) ([]config.ProfileDir, error) {
	var out []config.ProfileDir
	add := func(source, dir string, required bool) error {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return invalid(err)
		}
		out = append(out, config.ProfileDir{Source: source, Path: filepath.ToSlash(abs), FS: os.DirFS(abs), Required: required})
		return nil
	}
	if d := c.String("profiles-dir"); d != "" {
		if err := add("--profiles-dir", d, true); err != nil {
			return nil, err
		}
	}
	if d, ok := s.env("DBT_PROFILES_DIR"); ok && d != "" {
		if err := add("$DBT_PROFILES_DIR", d, true); err != nil {
			return nil, err
		}
	}
	if err := add("the project folder", projectDir, false); err != nil {
		return nil, err
	}
	home, ok := s.env("HOME")
	if !ok || home == "" {
		home, _ = os.UserHomeDir()
	}
	if home != "" {
		if err := add("~/.dbt", filepath.Join(home, ".dbt"), false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sayOnce prints warnings (and a dbt project's profile notice) on stderr,
// once per invocation even when a command loads the project twice.
func sayOnce(c *ucli.Context, key string, warnings []string, dbt *config.DBTProject) {
	if c == nil || c.App == nil {
		return
	}
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	mark := "cdw:said:" + key
	if c.App.Metadata[mark] != nil {
		return
	}
	c.App.Metadata[mark] = true
	w := c.App.ErrWriter
	if dbt != nil && dbt.Notice != "" {
		fmt.Fprintln(w, "note: "+dbt.Notice)
	}
	for _, msg := range warnings {
		fmt.Fprintln(w, "warning: "+msg)
	}
}

// templateLog prints what templates log (log(msg, info=True), print,
// exceptions.warn) on stderr; renders may run concurrently.
func (w *workspace) templateLog(msg string) {
	if w.c == nil || w.c.App == nil {
		return
	}
	w.logMu.Lock()
	defer w.logMu.Unlock()
	fmt.Fprintln(w.c.App.ErrWriter, strings.TrimRight(msg, "\n"))
}
