package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// dataformCompileMax is the largest B1 project Dataform compiles: it takes
// tens of seconds per thousand models, so larger ones would not fit the
// time budget of `make bench`.
const dataformCompileMax = 5000

// b1Spec is the generated project of B1 with n models.
func b1Spec(n int, pgURL string) projectSpec {
	return projectSpec{Name: fmt.Sprintf("bench_b1_%d", n), Models: n, BaseModels: max(1, n/20), Window: 50, Rows: 100, Tests: true, PGURL: pgURL, Schema: "b1"}
}

func runB1(ctx context.Context, e *benchEnv) error {
	dfBin, why := "", ""
	if len(e.cfg.Models) > 0 {
		dfBin, why = e.dataform(ctx)
		if why != "" {
			e.rep.note("B1: %s", why)
		}
	}
	var cold5k, cold10k, warmLargest, df5k, floor5k *series
	var peakRSS int64
	for _, n := range e.cfg.Models {
		dir := filepath.Join(e.cfg.Work, "b1", fmt.Sprint(n))
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		spec := b1Spec(n, "postgres://unused@127.0.0.1:1/unused")
		cdwDir, dfDir := filepath.Join(dir, "cdw"), filepath.Join(dir, "dataform")
		if err := writeCDWProject(cdwDir, spec); err != nil {
			return err
		}
		nodes := fmt.Sprintf("compiled %d node(s)", n+n+n/2) // models, not_null on each, unique on every second
		checkCompiled := func(_ context.Context, out []byte) error {
			if !strings.Contains(string(out), nodes) {
				return fmt.Errorf("cdw compile did not report %q", nodes)
			}
			return nil
		}
		removeTarget := func(context.Context) error { return os.RemoveAll(filepath.Join(cdwDir, "target")) }
		cs := []contender{
			{Name: "cdw compile, cold", Prep: removeTarget, Cmd: func(int) command { return e.cdwCmd(cdwDir, "compile") }, Check: checkCompiled},
			{Name: "cdw ls, cold", Prep: removeTarget, Cmd: func(int) command { return e.cdwCmd(cdwDir, "ls", "--output", "id") }},
		}
		// The floor: creating as many files of the same mean size as the
		// cold compile writes (models, tests), on the same filesystem.
		floorDir := filepath.Join(dir, "floor")
		cs = append(cs, contender{
			Name:    "filesystem floor: create the compiled files",
			MaxRuns: 1, // seconds per run on a busy disk; its order of magnitude is what counts
			Prep:    func(context.Context) error { return os.RemoveAll(floorDir) },
			Cmd: func(int) command {
				return command{Dir: dir, Args: []string{e.cfg.Self, "write-files", floorDir, fmt.Sprint(n + n + n/2), "170"}}
			},
		})
		withDF := dfBin != "" && n <= dataformCompileMax
		if withDF {
			if err := writeDataformProject(dfDir, spec, "b1"); err != nil {
				return err
			}
			if err := linkDataformModules(dfDir, dfBin); err != nil {
				return err
			}
			cs = append(cs, contender{
				Name:  "Dataform " + dataformVersion + " compile",
				Retry: true,
				// Tens of seconds per run from 5k models: one run.
				MaxRuns: map[bool]int{true: 1, false: 0}[n >= 5000],
				Cmd: func(int) command {
					return command{Dir: dfDir, Args: []string{dfBin, "compile", ".", "--timeout", "20m"}}
				},
				Check: func(_ context.Context, out []byte) error {
					if s := string(out); !strings.Contains(s, "Compiled") || strings.Contains(s, "rror") {
						return fmt.Errorf("Dataform compile failed: %s", tail(out, 500))
					}
					return nil
				},
			})
		}
		e.logf("B1: %d models", n)
		s, err := e.compare(ctx, e.cfg.Runs, cs...)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("%dk models", n/1000)
		if n%1000 != 0 {
			label = fmt.Sprintf("%d models", n)
		}
		var dfRef *series
		if withDF {
			dfRef = &s[3]
		}
		e.rep.add("B1", s[0].Name+", "+label, s[0], dfRef)
		e.rep.add("B1", s[1].Name+", "+label, s[1], &s[0])
		e.rep.add("B1", s[2].Name+", "+label, s[2], &s[0])
		if withDF {
			e.rep.add("B1", s[3].Name+", "+label, s[3], nil)
		}
		// Warm: target/ as a compile leaves it (the cold cases above
		// remove it before each run, ls included, so one compile runs
		// first, untimed); then one model changes before each run.
		if _, out, err := run(ctx, e.cdwCmd(cdwDir, "compile")); err != nil {
			return fmt.Errorf("compile before the warm runs: %w\n%s", err, out)
		}
		touched := filepath.Join(cdwDir, "models", spec.model(n/2).Folder, spec.model(n/2).Name+".sql")
		warm, err := e.compare(ctx, e.cfg.Runs,
			contender{Name: "cdw compile, warm (unchanged)", Cmd: func(int) command { return e.cdwCmd(cdwDir, "compile") }, Check: checkCompiled},
			contender{Name: "cdw compile, one model changed", Prep: func(context.Context) error {
				return appendLine(touched, "-- touched")
			}, Cmd: func(int) command { return e.cdwCmd(cdwDir, "compile") }, Check: checkCompiled},
		)
		if err != nil {
			return err
		}
		e.rep.add("B1", warm[0].Name+", "+label, warm[0], &s[0])
		e.rep.add("B1", warm[1].Name+", "+label, warm[1], &s[0])
		for _, x := range []series{s[0], s[1], warm[0], warm[1]} {
			peakRSS = max(peakRSS, x.PeakRSS())
		}
		switch n {
		case 5000:
			cold5k = &s[0]
			floor5k = &s[2]
			if withDF {
				df5k = &s[3]
			}
		case 10000:
			cold10k = &s[0]
		}
		if n >= 5000 {
			warmLargest = &warm[0]
		}
	}
	limit := func(id, target string, s *series, max float64) {
		if s == nil {
			e.rep.unmeasured(id, target, "size not in -models")
			return
		}
		if why := failed(*s); why != "" {
			e.rep.unmeasured(id, target, why)
			return
		}
		e.rep.target(id, target, "median "+fmtDur(s.Median()), s.Median().Seconds() <= max)
	}
	limit("B1", "5k models cold ≤ 0.5 s", cold5k, 0.5)
	if floor5k != nil && floor5k.OK() && cold5k != nil && cold5k.OK() {
		e.rep.note("B1: a cold compile of 5k models writes %d files; a minimal program creating as many files in a fresh folder took %s in this run (one run; it swings with the disk's other traffic), against the compile's median %s", 5000*5/2, fmtDur(floor5k.Median()), fmtDur(cold5k.Median()))
	}
	limit("B1", "10k models cold ≤ 1.0 s", cold10k, 1.0)
	limit("B1", "warm (unchanged project, largest ≥ 5k) ≤ 0.2 s", warmLargest, 0.2)
	e.rep.target("B1", "RSS ≤ 300 MB", "peak "+fmtMB(peakRSS), peakRSS <= 300<<20)
	switch {
	case df5k != nil && cold5k != nil && failed(*df5k, *cold5k) != "":
		e.rep.unmeasured("B1", "≥ 30× faster than Dataform on the same project", failed(*df5k, *cold5k))
	case df5k != nil && cold5k != nil:
		speed := df5k.Median().Seconds() / cold5k.Median().Seconds()
		e.rep.target("B1", "≥ 30× faster than Dataform on the same project (5k, cold)", fmt.Sprintf("%.1f× (Dataform %s, cdw %s)", speed, fmtDur(df5k.Median()), fmtDur(cold5k.Median())), speed >= 30)
	case why != "":
		e.rep.unmeasured("B1", "≥ 30× faster than Dataform on the same project", why)
	default:
		e.rep.unmeasured("B1", "≥ 30× faster than Dataform on the same project", "5000 is not in -models")
	}
	return nil
}

// appendLine appends a line to a file (a model edit that changes nothing
// it compiles to but its text).
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFilesHelper is the helper subcommand `write-files DIR N BYTES`: it
// creates N files of BYTES bytes under DIR in folders of 100, one after
// another, as a cold compile writes its output — the filesystem's floor
// for B1's cold case.
func writeFilesHelper(_ context.Context, args []string) error {
	if len(args) != 3 {
		return errors.New("usage: write-files DIR N BYTES")
	}
	n, err1 := strconv.Atoi(args[1])
	size, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || n < 0 || size < 0 {
		return errors.New("write-files: N and BYTES are counts")
	}
	body := []byte(strings.Repeat("x", max(0, size-1)) + "\n")
	for i := 0; i < n; i++ {
		dir := filepath.Join(args[0], fmt.Sprintf("g%04d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%06d.sql", i)), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
