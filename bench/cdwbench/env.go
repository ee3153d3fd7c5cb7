package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchDB is the database every PostgreSQL benchmark uses; it is dropped
// and created afresh at the start.
const benchDB = "cdw_bench"

// benchEnv is what the benchmarks share.
type benchEnv struct {
	cfg   config
	rep   *report
	db    *pgx.Conn // to benchDB, for preparing and checking (not timed)
	dbURL string    // URL of benchDB
	psql  string    // psql's path, "" when absent
}

func newBenchEnv(ctx context.Context, cfg config, rep *report) (*benchEnv, error) {
	e := &benchEnv{cfg: cfg, rep: rep}
	e.psql, _ = exec.LookPath("psql")
	if !cfg.Only["B2"] && !cfg.Only["B3"] && !cfg.Only["B4"] {
		return e, nil
	}
	admin, err := pgx.Connect(ctx, cfg.PGAdmin)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w (set -pg or CDW_BENCH_PG_URL)", redactURL(cfg.PGAdmin), err)
	}
	defer admin.Close(ctx)
	// jit=off: LLVM compiling each small query of B3 (~0.3 s apiece at the
	// planner's estimates for unanalyzed tables) would otherwise be most of
	// the time of every contender, hiding what B3 measures. Reported with
	// the other settings.
	for _, sql := range []string{"drop database if exists " + benchDB + " with (force)", "create database " + benchDB, "alter database " + benchDB + " set jit = off"} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			return nil, fmt.Errorf("%s: %w", sql, err)
		}
	}
	if e.dbURL, err = withDatabase(cfg.PGAdmin, benchDB); err != nil {
		return nil, err
	}
	if e.db, err = pgx.Connect(ctx, e.dbURL); err != nil {
		return nil, err
	}
	rep.Postgres = describePostgres(ctx, e.db)
	rep.note("PostgreSQL: jit is set off on the bench database (alter database %s set jit = off): with it on, LLVM compiled each of B3's 100-row queries (~0.3 s apiece at the planner's estimates for unanalyzed tables), which was most of every contender's time", benchDB)
	return e, nil
}

func (e *benchEnv) close() {
	if e.db != nil {
		e.db.Close(context.Background())
	}
}

// logf prints progress to stderr.
func (e *benchEnv) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// exec runs statements on benchDB (not timed).
func (e *benchEnv) exec(ctx context.Context, sqls ...string) error {
	for _, s := range sqls {
		if _, err := e.db.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

// appURL is benchDB's URL with an application_name, so the backend of the
// measured process can be found in pg_stat_activity.
func (e *benchEnv) appURL(app string) string {
	u, err := url.Parse(e.dbURL)
	if err != nil {
		return e.dbURL
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	return u.String()
}

// withDatabase replaces the database of a postgres:// URL.
func withDatabase(raw, db string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("-pg must be a postgres:// URL, got %q", redactURL(raw))
	}
	u.Path = "/" + db
	return u.String(), nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// contender is one thing measured in a side-by-side comparison.
type contender struct {
	Name string
	// Prep runs before every measured run, untimed (truncate, checkpoint).
	Prep func(ctx context.Context) error
	// Cmd is the measured process of run i.
	Cmd func(i int) command
	// Check looks at the output of a run, untimed (rows loaded, ...).
	Check func(ctx context.Context, out []byte) error
	// App is the application_name of its PostgreSQL sessions, whose
	// backends' CPU time is sampled; "" for none.
	App string
	// MaxRuns, if set, caps its measured runs below compare's count (a
	// slow peer whose ratio is clear from one run).
	MaxRuns int
	// Retry lets a failed run be run once more (a peer that fails now and
	// then); the failure is noted in the report.
	Retry bool
}

// compare measures the contenders runs times each, interleaved (run r
// starts with contender r mod len), so that drift on a shared machine
// hits them alike. It returns one series per contender, in order. A
// contender whose run fails is not run again: its series carries the
// error (the report shows it) and the others go on. The error is for the
// harness failing (a Prep, or cancellation).
func (e *benchEnv) compare(ctx context.Context, runs int, cs ...contender) ([]series, error) {
	out := make([]series, len(cs))
	for i, c := range cs {
		out[i].Name = c.Name
	}
	for r := 0; r < runs; r++ {
		for k := range cs {
			i := (r + k) % len(cs)
			c := cs[i]
			if out[i].Err != nil || (c.MaxRuns > 0 && len(out[i].Samples) >= c.MaxRuns) {
				continue
			}
			if c.Prep != nil {
				if err := c.Prep(ctx); err != nil {
					return out, fmt.Errorf("%s: prepare: %w", c.Name, err)
				}
			}
			s, output, err := e.measure(ctx, c, r)
			if err != nil && c.Retry && ctx.Err() == nil {
				log := e.keepOutput(c.Name, r, output)
				e.logf("  %-34s run %d failed (%s; output in %s), running it again", c.Name, r+1, errorLine(output, err), log)
				e.rep.note("%s failed once in run %d (%s) and was run again; its output is in %s", c.Name, r+1, errorLine(output, err), log)
				s, output, err = e.measure(ctx, c, r)
			}
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			if err != nil {
				log := e.keepOutput(c.Name, r, output)
				e.logf("  %-34s run %d FAILED (output in %s): %v", c.Name, r+1, log, err)
				out[i].Err = fmt.Errorf("%s", errorLine(output, err))
				continue
			}
			e.logf("  %-34s run %d: %s (cpu %s, server cpu %s, rss %s)", c.Name, r+1, fmtDur(s.Wall), fmtDur(s.CPU), fmtDur(s.ServerCPU), fmtMB(s.MaxRSS))
			out[i].Samples = append(out[i].Samples, s)
		}
	}
	return out, nil
}

// measure runs contender c's run r once: its process, the sampling of
// its PostgreSQL backends and its check.
func (e *benchEnv) measure(ctx context.Context, c contender, r int) (sample, []byte, error) {
	var sampler *backendSampler
	if c.App != "" && e.db != nil {
		sampler = startBackendSampler(ctx, e.dbURL, c.App)
	}
	s, output, err := run(ctx, c.Cmd(r))
	if sampler != nil {
		s.ServerCPU = sampler.stop()
	}
	if err == nil && c.Check != nil {
		if err = c.Check(ctx, output); err != nil {
			err = fmt.Errorf("%w\n%s", err, tail(output, 1500))
		}
	}
	return s, output, err
}

// keepOutput writes the whole output of a failed run into the work folder
// and returns its path.
func (e *benchEnv) keepOutput(name string, r int, output []byte) string {
	clean := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' {
			return c
		}
		return '-'
	}, name)
	p := filepath.Join(e.cfg.Work, "failed", fmt.Sprintf("%s-run%d-%s.log", clean, r+1, time.Now().Format("150405")))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "(not kept: " + err.Error() + ")"
	}
	if err := os.WriteFile(p, output, 0o644); err != nil {
		return "(not kept: " + err.Error() + ")"
	}
	return p
}

// cdwCmd runs the cdw binary in dir.
func (e *benchEnv) cdwCmd(dir string, args ...string) command {
	return command{Dir: dir, Args: append([]string{e.cfg.CDW}, args...)}
}

// shellQuote quotes s for psql's \copy file name.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// pgParts are the connection fields of a postgres:// URL.
type pgParts struct{ host, port, user, password string }

func parsePG(raw string) (pgParts, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgParts{}, err
	}
	p := pgParts{host: u.Hostname(), port: u.Port(), user: u.User.Username()}
	p.password, _ = u.User.Password()
	if p.port == "" {
		p.port = "5432"
	}
	if p.host == "" {
		p.host = "127.0.0.1"
	}
	return p, nil
}

// errorLine picks the line of a failed command's output that says what
// went wrong (the first mentioning an error), else err's first line.
func errorLine(output []byte, err error) string {
	for _, l := range strings.Split(string(output), "\n") {
		if strings.Contains(l, "ERROR") || strings.Contains(l, "rror:") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return firstLine(err.Error())
}
