package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// hhIntervals is how many half-hours each generated meter has in the big
// file (208 days and 8 hours), so rows = meters × hhIntervals.
const hhIntervals = 10_000

// hhLoadID is the load_id written into the equivalent CSV.
const hhLoadID = "0190b8a0-0000-7000-8000-00000000b002"

// hhInputs are the generated half-hourly inputs of a size.
type hhInputs struct {
	Flow string // the file `cdw extract` reads
	CSV  string // the same rows in the raw table's shape
	Rows int64
	Spec hhSpec
}

// hhFiles generates (once; they are reused while the spec is unchanged)
// the big half-hourly flow of rows rows and its equivalent CSV.
func hhFiles(e *benchEnv, rows int64) (hhInputs, error) {
	meters := int(rows / hhIntervals)
	spec := hhSpec{Meters: meters, Intervals: hhIntervals, First: hhFirst}
	dir := filepath.Join(e.cfg.Work, fmt.Sprintf("inputs/hh-%d", rows))
	in := hhInputs{Flow: filepath.Join(dir, "flow", "consumption_export.csv"), CSV: filepath.Join(dir, "equivalent.csv"), Rows: spec.Rows(), Spec: spec}
	stamp := filepath.Join(dir, "complete")
	want := fmt.Sprintf("%+v %s v1\n", spec, hhLoadID)
	if readFile(stamp) == want {
		return in, nil
	}
	e.logf("generating %d half-hourly rows (%d meters) into %s", in.Rows, meters, dir)
	if err := os.MkdirAll(filepath.Dir(in.Flow), 0o755); err != nil {
		return in, err
	}
	if err := writeHH(in.Flow, in.CSV, hhLoadID, spec); err != nil {
		return in, err
	}
	return in, os.WriteFile(stamp, []byte(want), 0o644)
}

// loadProject writes the small project B2 runs `cdw extract` in: a
// PostgreSQL target on the bench database and a DuckDB target, with the
// repository's migrations.
func (e *benchEnv) loadProject(name string) (string, error) {
	dir := filepath.Join(e.cfg.Work, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	yml := fmt.Sprintf(`name: %s
target: pg
targets:
  pg: {type: postgres, url: %q, schema: cdw, threads: 4}
  duck: {type: duckdb, path: %q, schema: cdw, threads: 4}
`, strings.ReplaceAll(name, "-", "_"), e.appURL("cdwbench_cdw"), filepath.Join(dir, "duck.duckdb"))
	if err := writeFiles(dir, map[string]string{"project.yml": yml}); err != nil {
		return "", err
	}
	return dir, copyDir(filepath.Join(e.cfg.Repo, "migrations"), filepath.Join(dir, "migrations"))
}

func runB2(ctx context.Context, e *benchEnv) error {
	in, err := hhFiles(e, e.cfg.Rows)
	if err != nil {
		return err
	}
	dir, err := e.loadProject("b2")
	if err != nil {
		return err
	}
	if _, out, err := run(ctx, e.cdwCmd(dir, "migrate", "up", "-t", "pg")); err != nil {
		return fmt.Errorf("migrate: %w\n%s", err, out)
	}
	if err := e.exec(ctx, "create schema bench", "create table bench.halfhourly_consumption (like raw.halfhourly_consumption including all)"); err != nil {
		return err
	}
	wantRows := fmt.Sprintf("(%d rows, 0 rejected", in.Rows)
	checkRows := func(_ context.Context, out []byte) error {
		if !strings.Contains(string(out), wantRows) {
			return fmt.Errorf("cdw extract did not report %s", wantRows)
		}
		return nil
	}
	psql := contender{
		Name: `psql \copy (CSV, 1 stream)`,
		App:  "cdwbench_psql",
		Prep: func(ctx context.Context) error {
			return e.exec(ctx, "truncate bench.halfhourly_consumption", "checkpoint")
		},
		Cmd: func(int) command {
			return command{Dir: dir, Env: []string{"PGAPPNAME=cdwbench_psql"}, Args: []string{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", e.dbURL,
				"-c", `\copy bench.halfhourly_consumption from ` + shellQuote(in.CSV) + ` (format csv)`}}
		},
	}
	cdw := contender{
		Name: "cdw extract (binary COPY)",
		App:  "cdwbench_cdw",
		Prep: func(ctx context.Context) error {
			return e.exec(ctx, "truncate raw.halfhourly_consumption, raw.file_registry, raw.rejected_records", "checkpoint")
		},
		Cmd:   func(int) command { return e.cdwCmd(dir, "extract", "-t", "pg", "--from", in.Flow) },
		Check: checkRows,
	}
	if e.psql == "" {
		e.rep.note("B2: psql not found; the PostgreSQL load is measured without its reference")
		s, err := e.compare(ctx, e.cfg.Runs, cdw)
		if err != nil {
			return err
		}
		e.rep.add("B2", s[0].Name+", "+fmtRows(in.Rows), s[0], nil)
	} else {
		s, err := e.compare(ctx, e.cfg.Runs, psql, cdw)
		if err != nil {
			return err
		}
		if err := e.sameHalfHourly(ctx, "bench.halfhourly_consumption", "raw.halfhourly_consumption"); err != nil {
			return err
		}
		e.rep.add("B2", s[0].Name+", "+fmtRows(in.Rows), s[0], nil)
		e.rep.add("B2", s[1].Name+", "+fmtRows(in.Rows), s[1], &s[0])
		if why := failed(s[0], s[1]); why != "" {
			e.rep.unmeasured("B2", "never slower than `psql \\copy` on one stream", why)
		} else {
			ratio := s[1].Median().Seconds() / s[0].Median().Seconds()
			e.rep.target("B2", "never slower than `psql \\copy` on one stream", fmt.Sprintf("cdw %s vs psql %s: ratio %.2f (%.2f× its throughput)", fmtDur(s[1].Median()), fmtDur(s[0].Median()), ratio, 1/ratio), ratio <= 1)
			e.rep.target("B2", "≥ 2× psql's throughput with 2 streams", fmt.Sprintf("one stream (one file is one transaction on one connection, see BENCHMARKS.md): %.2f×", 1/ratio), 1/ratio >= 2)
			e.rep.target("B2", "RSS ≤ 200 MB whatever the file size (PostgreSQL)", "peak "+fmtMB(s[1].PeakRSS()), s[1].PeakRSS() <= 200<<20)
		}
	}
	return runB2DuckDB(ctx, e, in, dir, checkRows)
}

// sameHalfHourly checks that two tables hold the same rows (but for
// load_id) by comparing order-independent aggregates of every column.
func (e *benchEnv) sameHalfHourly(ctx context.Context, a, b string) error {
	q := `select count(*), count(distinct mpxn), count(distinct meter_serial), sum(line_no),
	sum(extract(epoch from interval_start)), sum(extract(epoch from interval_end)), sum(kwh)::numeric(20,3),
	string_agg(distinct file_name, ',') from %s`
	var got [2]string
	for i, t := range []string{a, b} {
		var n, mpxns, serials, lines int64
		var starts, ends, kwh, files string
		if err := e.db.QueryRow(ctx, fmt.Sprintf(q, t)).Scan(&n, &mpxns, &serials, &lines, &starts, &ends, &kwh, &files); err != nil {
			return fmt.Errorf("checking %s: %w", t, err)
		}
		got[i] = fmt.Sprint(n, mpxns, serials, lines, starts, ends, kwh, files)
	}
	if got[0] != got[1] {
		return fmt.Errorf("%s and %s differ: %s vs %s", a, b, got[0], got[1])
	}
	e.logf("  %s and %s hold the same rows (%s)", a, b, got[0])
	return nil
}

func runB2DuckDB(ctx context.Context, e *benchEnv, in hhInputs, dir string, checkRows func(context.Context, []byte) error) error {
	template := filepath.Join(dir, "template.duckdb")
	if _, out, err := run(ctx, e.cdwCmd(dir, "migrate", "up", "-t", "duck")); err != nil {
		return fmt.Errorf("migrate duckdb: %w\n%s", err, out)
	}
	if err := os.Rename(filepath.Join(dir, "duck.duckdb"), template); err != nil {
		return err
	}
	fresh := func(path string) func(context.Context) error {
		return func(context.Context) error {
			os.Remove(path + ".wal")
			return copyFile(template, path)
		}
	}
	own := filepath.Join(dir, "own.duckdb")
	reader := contender{
		Name: "DuckDB COPY FROM CSV (its own reader)",
		Prep: fresh(own),
		Cmd: func(int) command {
			return command{Dir: dir, Args: []string{e.cfg.Self, "duckdb-csv", own, in.CSV, "raw.halfhourly_consumption"}}
		},
		Check: func(_ context.Context, out []byte) error {
			if !strings.Contains(string(out), fmt.Sprintf("%d rows", in.Rows)) {
				return fmt.Errorf("DuckDB loaded %q", strings.TrimSpace(string(out)))
			}
			return nil
		},
	}
	cdw := contender{
		Name:  "cdw extract -t duck (appender)",
		Prep:  fresh(filepath.Join(dir, "duck.duckdb")),
		Cmd:   func(int) command { return e.cdwCmd(dir, "extract", "-t", "duck", "--from", in.Flow) },
		Check: checkRows,
	}
	s, err := e.compare(ctx, e.cfg.Runs, reader, cdw)
	if err != nil {
		return err
	}
	e.rep.add("B2", s[0].Name+", "+fmtRows(in.Rows), s[0], nil)
	e.rep.add("B2", s[1].Name+", "+fmtRows(in.Rows), s[1], &s[0])
	if why := failed(s[0], s[1]); why != "" {
		e.rep.unmeasured("B2", "DuckDB path ≥ 0.8× DuckDB's own reader", why)
		return nil
	}
	through := s[0].Median().Seconds() / s[1].Median().Seconds()
	e.rep.target("B2", "DuckDB path ≥ 0.8× DuckDB's own reader", fmt.Sprintf("cdw %s vs DuckDB %s: %.2f× its throughput", fmtDur(s[1].Median()), fmtDur(s[0].Median()), through), through >= 0.8)
	e.rep.target("B2", "RSS ≤ 200 MB whatever the file size (DuckDB)", "peak "+fmtMB(s[1].PeakRSS()), s[1].PeakRSS() <= 200<<20)
	return nil
}

// copyFile copies src to dst, replacing it and creating its folder.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// copyDir copies the regular files of src (one level) into dst.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, en := range entries {
		if en.Type().IsRegular() {
			if err := copyFile(filepath.Join(src, en.Name()), filepath.Join(dst, en.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// elapsed is a helper for log lines.
func elapsed(start time.Time) string { return time.Since(start).Round(time.Millisecond).String() }

// fmtRows prints a row count briefly: 10M rows, 200k rows.
func fmtRows(n int64) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + "M rows"
	case n >= 1000 && n%1000 == 0:
		return strconv.FormatInt(n/1000, 10) + "k rows"
	}
	return strconv.FormatInt(n, 10) + " rows"
}
