package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// b4D0010Days is how many daily reads each meter has in B4's D0010 flow
// (1,000 meters: 200,000 readings beside the half-hourly rows).
const b4D0010Days = 200

// runB4 measures the repository's own models (readings, daily_consumption,
// ...) on PostgreSQL over the big half-hourly file and a D0010 flow: a
// full build, a run after one new day of data landed, and a run with
// nothing new.
func runB4(ctx context.Context, e *benchEnv) error {
	in, err := hhFiles(e, e.cfg.B4Rows)
	if err != nil {
		return err
	}
	dir := filepath.Join(e.cfg.Work, "b4")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	// The project as it is in the repository, on its `dev` target.
	for _, f := range []string{"project.yml", "selectors.yml"} {
		if err := copyFile(filepath.Join(e.cfg.Repo, f), filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	for _, d := range []string{"models", "macros", "seeds", "tests", "migrations"} {
		if err := copyTree(filepath.Join(e.cfg.Repo, d), filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	env := []string{"CDW_PG_URL=" + e.appURL("cdwbench_cdw"), "CDW_SCHEMA=b4", "CDW_TARGET=dev"}
	cdw := func(args ...string) command { c := e.cdwCmd(dir, args...); c.Env = env; return c }
	meters := in.Spec.Meters
	inputs := filepath.Join(e.cfg.Work, "inputs", fmt.Sprintf("b4-%d", e.cfg.B4Rows))
	day := filepath.Join(inputs, "day")
	d0010 := filepath.Join(inputs, "readings.uff")
	if err := os.MkdirAll(day, 0o755); err != nil {
		return err
	}
	// One new day: the 48 half-hours after the big file for every meter,
	// and every meter's next daily read.
	daySpec := hhSpec{Meters: meters, Intervals: 48, Skip: hhIntervals, First: hhFirst}
	if err := writeHH(filepath.Join(day, "consumption_next_day.csv"), "", "", daySpec); err != nil {
		return err
	}
	if err := writeD0010(filepath.Join(day, "readings_next_day.uff"), d0010Spec{FileID: "B4DAY00001", Meters: meters, Days: 1, Skip: b4D0010Days, First: hhFirst}); err != nil {
		return err
	}
	if err := writeD0010(d0010, d0010Spec{FileID: "B4BASE0001", Meters: meters, Days: b4D0010Days, First: hhFirst}); err != nil {
		return err
	}
	e.logf("B4: landing %d half-hourly rows and %d D0010 readings (not timed)", in.Rows, meters*b4D0010Days)
	if err := e.exec(ctx, "drop schema if exists raw cascade", "drop table if exists public.goose_db_version"); err != nil {
		return err
	}
	for _, c := range []command{cdw("migrate", "up"), cdw("extract", "--from", in.Flow), cdw("extract", "--from", d0010)} {
		if _, out, err := run(ctx, c); err != nil {
			return fmt.Errorf("%s: %w\n%s", c, err, out)
		}
	}
	if err := e.exec(ctx, "analyze raw.halfhourly_consumption", "analyze raw.d0010_readings"); err != nil {
		return err
	}
	full := series{Name: "cdw run --full-refresh (full build)"}
	incr := series{Name: "cdw run after one new day landed"}
	noop := series{Name: "cdw run with nothing new (no-op)"}
	var slowest []string
	for r := 0; r < e.cfg.B4Runs; r++ {
		// Forget the new day, so every full build sees the same data.
		if err := e.exec(ctx,
			"delete from raw.halfhourly_consumption where file_name = 'consumption_next_day.csv'",
			"delete from raw.d0010_readings where file_name = 'readings_next_day.uff'",
			"delete from raw.file_registry where file_name in ('consumption_next_day.csv', 'readings_next_day.uff')",
			"checkpoint"); err != nil {
			return err
		}
		for _, step := range []struct {
			s    *series
			args []string
			land bool
		}{{&full, []string{"run", "--full-refresh"}, false}, {&incr, []string{"run"}, true}, {&noop, []string{"run"}, false}} {
			if step.land {
				if _, out, err := run(ctx, cdw("extract", "--from", day)); err != nil {
					return fmt.Errorf("landing the new day: %w\n%s", err, out)
				}
			}
			s, out, err := run(ctx, cdw(step.args...))
			if err != nil {
				return fmt.Errorf("%s: %w\n%s", step.s.Name, err, out)
			}
			step.s.Samples = append(step.s.Samples, s)
			top := slowestModels(filepath.Join(dir, "target", "run_results.json"), 3)
			e.logf("  %-34s run %d: %s (slowest: %s)", step.s.Name, r+1, fmtDur(s.Wall), top)
			if r == 0 {
				slowest = append(slowest, fmt.Sprintf("%s: %s", step.s.Name, top))
			}
		}
	}
	label := ", " + fmtRows(in.Rows) + " half-hourly"
	e.rep.add("B4", full.Name+label, full, nil)
	e.rep.add("B4", incr.Name+label, incr, &full)
	e.rep.add("B4", noop.Name+label, noop, &full)
	e.rep.note("B4 slowest models (first run): %s", strings.Join(slowest, "; "))
	if why := failed(full, incr, noop); why != "" {
		return fmt.Errorf("%s", why)
	}
	ri := incr.Median().Seconds() / full.Median().Seconds()
	rn := noop.Median().Seconds() / full.Median().Seconds()
	e.rep.target("B4", "run after one new day ≤ 10% of the full build", fmt.Sprintf("%s vs %s: %.0f%%", fmtDur(incr.Median()), fmtDur(full.Median()), ri*100), ri <= 0.10)
	e.rep.target("B4", "no-op run ≤ 5% of the full build", fmt.Sprintf("%s vs %s: %.0f%%", fmtDur(noop.Median()), fmtDur(full.Median()), rn*100), rn <= 0.05)
	return nil
}

// slowestModels names the n slowest nodes of a run_results.json with their
// times.
func slowestModels(path string, n int) string {
	var rr struct {
		Results []struct {
			UniqueID      string  `json:"unique_id"`
			ExecutionTime float64 `json:"execution_time"`
		} `json:"results"`
	}
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &rr) != nil {
		return "?"
	}
	sort.Slice(rr.Results, func(i, j int) bool { return rr.Results[i].ExecutionTime > rr.Results[j].ExecutionTime })
	var out []string
	for i := 0; i < n && i < len(rr.Results); i++ {
		id := rr.Results[i].UniqueID
		out = append(out, fmt.Sprintf("%s %.1f s", id[strings.LastIndexByte(id, '.')+1:], rr.Results[i].ExecutionTime))
	}
	return strings.Join(out, ", ")
}

// copyTree copies a folder recursively (a missing one is skipped).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == src {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, target)
	})
}
