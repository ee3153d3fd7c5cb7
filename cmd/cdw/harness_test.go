package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/cli"
	"github.com/cdw-dev/cdw/internal/testenv"
)

// The script harness runs cdw in-process (cli.Main with this project's
// extractors), so `go test -cover` counts the CLI and the engine.
//
// Script commands, besides testscript's builtins:
//
//	cdw ARGS...           run cdw; the exit code must be 0
//	exits N cdw ARGS...   run cdw; the exit code must be exactly N
//
// `! cdw` is refused: a failing run must say which exit code it expects.
//
// Each script starts in $WORK/project, a copy of the repository's project
// (projectEntries). Files the script's
// archive puts under project/ are kept: they replace or add to the copy.
// $REALDATA is the real-data folder ("" when it is absent outside CI;
// condition [realdata] tells). $TARGET is the target the script's engine
// runs on: local (DuckDB) or dev (PostgreSQL, with $CDW_PG_URL a database
// of the script's own).

// engine is a warehouse the pipeline scripts run on.
type engine struct {
	name   string // condition name: duckdb or postgres
	target string // project.yml target
	// setup adds the engine's variables to a script's environment; t is the
	// script's test.
	setup func(t testing.TB, env *testscript.Env)
}

func duckdbEngine() engine { return engine{name: "duckdb", target: "local"} }

func postgresEngine() engine {
	return engine{name: "postgres", target: "dev", setup: func(t testing.TB, env *testscript.Env) {
		env.Setenv("CDW_PG_URL", testenv.PostgresURL(t))
	}}
}

// runner runs cdw in-process. cli.Main resolves relative paths against the
// process's working directory and urfave/cli reads flag defaults
// ($CDW_TARGET, $CDW_PROJECT_DIR) from the process environment, so calls
// are serialized: each one moves into the script's directory and takes the
// script's values of those variables, and puts both back afterwards.
// Scripts still run in parallel between cdw calls. Each top-level test has
// a runner of its own, so those tests must not be parallel to one another.
type runner struct {
	mu sync.Mutex
}

func (r *runner) run(ts *testscript.TestScript, args []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	wd, err := os.Getwd()
	ts.Check(err)
	ts.Check(os.Chdir(ts.MkAbs(".")))
	defer func() { ts.Check(os.Chdir(wd)) }()
	for _, k := range []string{"CDW_TARGET", "CDW_PROJECT_DIR"} { // read by urfave/cli
		old, had := os.LookupEnv(k)
		if v := ts.Getenv(k); v != "" {
			ts.Check(os.Setenv(k, v))
		} else {
			ts.Check(os.Unsetenv(k))
		}
		defer func() {
			if had {
				os.Setenv(k, old)
			} else {
				os.Unsetenv(k)
			}
		}()
	}
	lookup := func(k string) (string, bool) {
		v := ts.Getenv(k)
		return v, v != ""
	}
	return cli.Main(context.Background(), append([]string{"cdw"}, args...), strings.NewReader(""),
		ts.Stdout(), ts.Stderr(), cli.WithExtractors(extractors.All()...), cli.WithEnv(lookup))
}

// cdw is the `cdw ARGS...` script command.
func (r *runner) cdw(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("`! cdw` does not say which exit code is expected; write `exits N cdw ...`")
	}
	if code := r.run(ts, args); code != 0 {
		ts.Fatalf("cdw %s: exit code %d, want 0", strings.Join(args, " "), code)
	}
}

// exits is the `exits N cdw ARGS...` script command.
func (r *runner) exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("`! exits` is not supported")
	}
	if len(args) < 2 || args[1] != "cdw" {
		ts.Fatalf("usage: exits N cdw ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	if got := r.run(ts, args[2:]); got != want {
		ts.Fatalf("cdw %s: exit code %d, want %d", strings.Join(args[2:], " "), got, want)
	}
}

// realData returns the real-data folder, or "" when it is absent outside CI
// (testenv fails the test under CI=true).
func realData(t *testing.T) string { return testenv.RealDataDir(t) }

// params builds the testscript parameters for the scripts in dir on e.
func params(t *testing.T, dir string, e engine) testscript.Params {
	root := testenv.RepoRoot(t)
	real := realData(t)
	abs, err := filepath.Abs(dir) // the runner changes directory while scripts run
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{}
	return testscript.Params{
		Dir: abs,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cdw":   r.cdw,
			"exits": r.exits,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "realdata":
				return real != "", nil
			case "duckdb", "postgres":
				return cond == e.name, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			project := filepath.Join(env.WorkDir, "project")
			for _, entry := range projectEntries {
				if _, err := os.Stat(filepath.Join(root, entry)); os.IsNotExist(err) {
					continue
				}
				if err := copyMissing(filepath.Join(root, entry), filepath.Join(project, entry)); err != nil {
					return err
				}
			}
			env.Cd = project
			env.Setenv("REALDATA", real)
			env.Setenv("TARGET", e.target)
			if e.setup != nil {
				e.setup(env.T().(testing.TB), env)
			}
			return nil
		},
	}
}

// projectEntries are the files and folders of the repository's project that
// each script gets a copy of (those that exist).
var projectEntries = []string{"project.yml", "selectors.yml", "models", "macros", "tests", "migrations", "seeds", "snapshots"}

// copyMissing copies the file or tree src to dst, keeping any file that
// already exists at its destination.
func copyMissing(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if _, err := os.Stat(to); err == nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("copy project: %w", err)
		}
		return os.WriteFile(to, data, 0o644)
	})
}
