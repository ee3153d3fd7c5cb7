// Command cdwbench is cdw's benchmark harness (`make bench`). It generates
// its inputs deterministically, runs the real cdw binary and its peers
// (psql, DuckDB's CSV reader, Dataform) side by side, alternating them run
// by run so drift on a shared machine hits both, and prints a table of
// medians, min/max, peak RSS and ratios, then the targets of issue 7 with
// whether each holds. Timings never run in `make test`.
//
//	cdwbench [-cdw bin/cdw] [-work DIR] [-runs N] [-only B1,B2,B3,B4]
//	         [-rows N] [-b4rows N] [-b4runs N] [-models 1000,5000,10000]
//	         [-dataform auto|off] [-pg URL] [-report FILE] [-repo DIR]
//
// The defaults fit `make bench` in about 15 minutes on a 2-core machine:
// B2 loads 3M rows and B4 builds over 2M rows once. The full
// sizes: -rows 10000000 -b4rows 10000000 -b4runs 3.
//
// It also has helper subcommands it runs as child processes, so each
// measured thing is one process with its own peak RSS:
//
//	cdwbench duckdb-csv DB CSV TABLE   load CSV with DuckDB's own reader
//	cdwbench profile-extract ...       land a file under a CPU profile
//	cdwbench profile-cdw ... -- ARGS   run `cdw ARGS` in-process under a CPU profile
//	cdwbench write-files DIR N BYTES   create N files in folders of 100 (B1's floor)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 {
		helpers := map[string]func(context.Context, []string) error{"duckdb-csv": duckdbCSV, "profile-extract": profileExtract, "profile-cdw": profileCDW, "write-files": writeFilesHelper}
		if h, ok := helpers[os.Args[1]]; ok {
			if err := h(ctx, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "cdwbench %s: %v\n", os.Args[1], err)
				os.Exit(1)
			}
			return
		}
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cdwbench:", err)
		os.Exit(2)
	}
	if err := runAll(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "cdwbench:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	CDW      string // absolute path of the cdw binary
	Self     string // this binary, for helper subcommands
	Work     string // scratch folder for inputs, projects and databases
	Runs     int
	Only     map[string]bool
	Rows     int64 // half-hourly rows for B2
	B4Rows   int64 // half-hourly rows for B4
	B4Runs   int   // rounds of B4 (full, one new day, no-op)
	Models   []int // B1 project sizes
	Dataform bool
	PGAdmin  string // URL of a database to create the bench database from
	Report   string // markdown file the results are written to
	Repo     string // the repository (its migrations and models are used)
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("cdwbench", flag.ContinueOnError)
	cdw := fs.String("cdw", "bin/cdw", "the cdw binary to measure")
	work := fs.String("work", filepath.Join(os.TempDir(), "cdw-bench"), "scratch folder (inputs are generated once and reused)")
	runs := fs.Int("runs", 3, "measured runs of each case")
	only := fs.String("only", "B1,B2,B3,B4", "benchmarks to run")
	rows := fs.Int64("rows", 3_000_000, "half-hourly rows B2 loads (a multiple of 10000)")
	b4rows := fs.Int64("b4rows", 2_000_000, "half-hourly rows B4 builds over (a multiple of 10000)")
	b4runs := fs.Int("b4runs", 1, "rounds of B4 (a full build, a run after one new day, a no-op run)")
	models := fs.String("models", "1000,5000,10000", "B1 project sizes")
	dataform := fs.String("dataform", "auto", "auto: install Dataform 1.20.2 with npm when available; off: skip it")
	pg := fs.String("pg", envOr("CDW_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server (a database to connect to; cdw_bench is created beside it)")
	report := fs.String("report", "target/bench/results.md", "markdown report")
	repo := fs.String("repo", ".", "the cdw repository (migrations, models)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	c := config{Runs: *runs, Rows: *rows, B4Rows: *b4rows, B4Runs: *b4runs, Dataform: *dataform != "off", PGAdmin: *pg, Only: map[string]bool{}}
	var err error
	if c.CDW, err = filepath.Abs(*cdw); err != nil {
		return c, err
	}
	if _, err := os.Stat(c.CDW); err != nil {
		return c, fmt.Errorf("cdw binary: %w (run `make build`)", err)
	}
	if c.Self, err = os.Executable(); err != nil {
		return c, err
	}
	if c.Work, err = filepath.Abs(*work); err != nil {
		return c, err
	}
	if c.Report, err = filepath.Abs(*report); err != nil {
		return c, err
	}
	if c.Repo, err = filepath.Abs(*repo); err != nil {
		return c, err
	}
	for _, b := range strings.Split(*only, ",") {
		c.Only[strings.ToUpper(strings.TrimSpace(b))] = true
	}
	for _, m := range strings.Split(*models, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil || n < 100 {
			return c, fmt.Errorf("-models: %q is not a size of at least 100", m)
		}
		c.Models = append(c.Models, n)
	}
	switch {
	case c.Runs < 1:
		return c, errors.New("-runs must be at least 1")
	case c.Rows < hhIntervals || c.Rows%hhIntervals != 0:
		return c, fmt.Errorf("-rows must be a positive multiple of %d", hhIntervals)
	case c.B4Rows < hhIntervals || c.B4Rows%hhIntervals != 0:
		return c, fmt.Errorf("-b4rows must be a positive multiple of %d", hhIntervals)
	case c.B4Runs < 1:
		return c, errors.New("-b4runs must be at least 1")
	case *dataform != "auto" && *dataform != "off":
		return c, errors.New("-dataform is auto or off")
	}
	return c, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// runAll runs the selected benchmarks and writes the report. A benchmark
// that fails is reported as failed; the others still run.
func runAll(ctx context.Context, cfg config) error {
	if err := os.MkdirAll(cfg.Work, 0o755); err != nil {
		return err
	}
	rep := &report{Started: time.Now(), Runs: cfg.Runs}
	rep.Machine = describeMachine(ctx, cfg)
	env, err := newBenchEnv(ctx, cfg, rep)
	if err != nil {
		return err
	}
	defer env.close()
	steps := []struct {
		id  string
		run func(context.Context, *benchEnv) error
	}{{"B1", runB1}, {"B2", runB2}, {"B3", runB3}, {"B4", runB4}}
	var failed []string
	for _, s := range steps {
		if !cfg.Only[s.id] {
			continue
		}
		start := time.Now()
		env.logf("== %s", s.id)
		if err := s.run(ctx, env); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			env.logf("%s failed: %v", s.id, err)
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %v", s.id, firstLine(err.Error())))
			failed = append(failed, s.id)
		}
		env.logf("== %s done in %s", s.id, time.Since(start).Round(time.Second))
	}
	rep.Elapsed = time.Since(rep.Started)
	text := rep.markdown()
	fmt.Println()
	fmt.Print(text)
	if err := os.MkdirAll(filepath.Dir(cfg.Report), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(cfg.Report, []byte(text), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nreport written to %s (%s in all)\n", cfg.Report, rep.Elapsed.Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("benchmark(s) failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
