package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// report collects everything the run prints.
type report struct {
	Started  time.Time
	Elapsed  time.Duration
	Runs     int
	Machine  []string
	Postgres []string
	Rows     []resultRow
	Targets  []targetRow
	Notes    []string
	Failures []string
}

// resultRow is one measured case; Ref, when set, is the case it is
// compared with (measured interleaved in the same run).
type resultRow struct {
	Bench, Case string
	S           series
	Ref         *series
}

// targetRow is one target of issue 7 and how this run measured it.
type targetRow struct {
	ID, Target, Measured string
	Holds                *bool // nil: not measured
}

func (r *report) add(bench, name string, s series, ref *series) {
	if name == "" {
		name = s.Name
	}
	r.Rows = append(r.Rows, resultRow{Bench: bench, Case: name, S: s, Ref: ref})
}

func (r *report) target(id, target, measured string, holds bool) {
	r.Targets = append(r.Targets, targetRow{ID: id, Target: target, Measured: measured, Holds: &holds})
}

// failed names the first of ss that has no measurement, with its error,
// or returns "" when all were measured.
func failed(ss ...series) string {
	for _, s := range ss {
		if !s.OK() {
			if s.Err != nil {
				return s.Name + " failed: " + firstLine(s.Err.Error())
			}
			return s.Name + " has no measurement"
		}
	}
	return ""
}

func (r *report) unmeasured(id, target, why string) {
	r.Targets = append(r.Targets, targetRow{ID: id, Target: target, Measured: why})
}

// mdCell keeps text from breaking a markdown table row.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func (r *report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// markdown renders the report.
func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# cdw benchmark results — %s\n\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Up to %d measured runs per case (n), the cases of a comparison interleaved run by run; wall time median, min and max. CPU is the measured process's user+system time; server CPU the sampled CPU of its PostgreSQL backends. Ratio = this case's median ÷ the reference's (vs) median: below 1 is faster.\n\n", r.Runs)
	b.WriteString("| bench | case | n | median | min | max | CPU | server CPU | peak RSS | vs | ratio |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n")
	for _, row := range r.Rows {
		if row.S.Err != nil {
			fmt.Fprintf(&b, "| %s | %s | %d | failed: %s | | | | | | | |\n", row.Bench, row.Case, len(row.S.Samples), mdCell(firstLine(row.S.Err.Error())))
			continue
		}
		vs, ratio := "", ""
		if row.Ref != nil && row.Ref.OK() && row.Ref.Median() > 0 {
			vs = row.Ref.Name
			ratio = fmt.Sprintf("%.2f", row.S.Median().Seconds()/row.Ref.Median().Seconds())
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", row.Bench, row.Case, len(row.S.Samples),
			fmtDur(row.S.Median()), fmtDur(row.S.Min()), fmtDur(row.S.Max()),
			fmtDur(row.S.MedianCPU()), fmtDur(row.S.MedianServerCPU()), fmtMB(row.S.PeakRSS()), vs, ratio)
	}
	b.WriteString("\n## Targets (issue 7)\n\n| id | target | measured | holds |\n| --- | --- | --- | --- |\n")
	for _, t := range r.Targets {
		verdict := "not measured"
		if t.Holds != nil {
			verdict = map[bool]string{true: "yes", false: "**no**"}[*t.Holds]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.ID, t.Target, t.Measured, verdict)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	if len(r.Failures) > 0 {
		b.WriteString("\n## Failed\n\n")
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	b.WriteString("\n## Machine\n\n")
	for _, m := range r.Machine {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	fmt.Fprintf(&b, "- load average at the end: %s\n", loadAvg())
	if len(r.Postgres) > 0 {
		b.WriteString("\n## PostgreSQL\n\n")
		for _, p := range r.Postgres {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	fmt.Fprintf(&b, "\nTotal time: %s.\n", r.Elapsed.Round(time.Second))
	return b.String()
}

// describeMachine lists the hardware and tool versions.
func describeMachine(ctx context.Context, cfg config) []string {
	out := []string{
		fmt.Sprintf("%d CPUs: %s; %s RAM; Linux %s", runtime.NumCPU(), cpuModel(), memTotal(), strings.TrimSpace(readFile("/proc/sys/kernel/osrelease"))),
		fmt.Sprintf("load average at the start: %s (other work on a shared machine inflates every figure; ratios are measured side by side)", loadAvg()),
		fmt.Sprintf("cdw: %s (%s)", firstLine(commandOutput(ctx, cfg.CDW, "--version")), runtime.Version()),
		"DuckDB: " + duckdbVersion(ctx),
	}
	if v := commandOutput(ctx, "psql", "--version"); v != "" {
		out = append(out, "psql: "+firstLine(v))
	}
	if v := commandOutput(ctx, "node", "--version"); v != "" {
		out = append(out, "node: "+firstLine(v)+", npm "+firstLine(commandOutput(ctx, "npm", "--version")))
	}
	return out
}

func describePostgres(ctx context.Context, db *pgx.Conn) []string {
	var out []string
	var version string
	if err := db.QueryRow(ctx, "select version()").Scan(&version); err == nil {
		out = append(out, version)
	}
	var settings []string
	for _, name := range []string{"shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size", "checkpoint_timeout", "wal_level", "synchronous_commit", "fsync", "full_page_writes", "max_parallel_workers_per_gather", "jit"} {
		var v string
		if err := db.QueryRow(ctx, "select current_setting($1)", name).Scan(&v); err == nil {
			settings = append(settings, name+"="+v)
		}
	}
	return append(out, "settings: "+strings.Join(settings, ", "))
}

func commandOutput(ctx context.Context, name string, args ...string) string {
	b, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func cpuModel() string {
	for _, l := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	for _, l := range strings.Split(readFile("/proc/meminfo"), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			var kb int64
			fmt.Sscan(f[1], &kb)
			return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
		}
	}
	return "?"
}

func loadAvg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// duckdbVersion asks the linked DuckDB library.
func duckdbVersion(ctx context.Context) string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "?"
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "select version()").Scan(&v); err != nil {
		return "?"
	}
	return v + " (github.com/duckdb/duckdb-go/v2, linked into cdw and cdwbench)"
}
