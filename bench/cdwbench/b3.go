package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// b3Models is the size of the B3 project.
const b3Models = 500

func runB3(ctx context.Context, e *benchEnv) error {
	dir := filepath.Join(e.cfg.Work, "b3")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	spec := projectSpec{Name: "bench_b3", Models: b3Models, BaseModels: b3Models / 20, Window: 50, Rows: 100, PGURL: e.appURL("cdwbench_cdw"), Schema: "b3"}
	cdwDir := filepath.Join(dir, "cdw")
	if err := writeCDWProject(cdwDir, spec); err != nil {
		return err
	}
	// A first run creates every relation, so each measured run (cdw's or
	// psql's) replaces existing ones, as a daily run does.
	if _, out, err := run(ctx, e.cdwCmd(cdwDir, "run", "--threads", "4")); err != nil {
		return fmt.Errorf("first run: %w\n%s", err, out)
	}
	if _, out, err := run(ctx, e.cdwCmd(cdwDir, "compile")); err != nil {
		return fmt.Errorf("compile: %w\n%s", err, out)
	}
	replay, err := writeReplay(cdwDir, spec)
	if err != nil {
		return err
	}
	ok := fmt.Sprintf("%d success", b3Models)
	checkRun := func(_ context.Context, out []byte) error {
		if !strings.Contains(string(out), ok) {
			return fmt.Errorf("cdw run did not report %q", ok)
		}
		return nil
	}
	cs := []contender{
		{Name: "cdw run --threads 1", App: "cdwbench_cdw", Cmd: func(int) command { return e.cdwCmd(cdwDir, "run", "--threads", "1") }, Check: checkRun},
		{Name: "cdw run --threads 4", App: "cdwbench_cdw", Cmd: func(int) command { return e.cdwCmd(cdwDir, "run", "--threads", "4") }, Check: checkRun},
	}
	if e.psql != "" {
		cs = append(cs, contender{Name: "psql replaying the DDL serially", App: "cdwbench_psql", Cmd: func(int) command {
			return command{Dir: cdwDir, Env: []string{"PGAPPNAME=cdwbench_psql"}, Args: []string{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", e.dbURL, "-f", replay}}
		}})
	}
	dfBin, why := e.dataform(ctx)
	if dfBin != "" {
		dfDir := filepath.Join(dir, "dataform")
		if err := e.dataformRunProject(dfDir, dfBin, spec); err != nil {
			return err
		}
		if _, out, err := run(ctx, command{Dir: dfDir, Args: []string{dfBin, "run", ".", "--timeout", "20m"}}); err != nil {
			return fmt.Errorf("first Dataform run: %w\n%s", err, out)
		}
		cs = append(cs, contender{Name: "Dataform " + dataformVersion + " run", Retry: true, Cmd: func(int) command {
			return command{Dir: dfDir, Args: []string{dfBin, "run", ".", "--timeout", "20m"}}
		}, Check: func(_ context.Context, out []byte) error {
			if n := strings.Count(string(out), "Dataset created"); n != b3Models {
				return fmt.Errorf("Dataform created %d datasets, want %d", n, b3Models)
			}
			return nil
		}})
	} else {
		e.rep.note("B3: %s", why)
	}
	s, err := e.compare(ctx, e.cfg.Runs, cs...)
	if err != nil {
		return err
	}
	label := fmt.Sprintf(", %d models", b3Models)
	var ref *series
	if e.psql != "" {
		ref = &s[2]
		e.rep.add("B3", s[2].Name+label, s[2], nil)
	}
	e.rep.add("B3", s[0].Name+label, s[0], ref)
	e.rep.add("B3", s[1].Name+label, s[1], ref)
	if why := failed(s[1]); why != "" && ref != nil {
		e.rep.unmeasured("B3", "`--threads 4` ≤ 0.8× psql's serial replay", why)
	} else if ref != nil {
		ratio := s[1].Median().Seconds() / ref.Median().Seconds()
		e.rep.target("B3", "`--threads 4` ≤ 0.8× psql's serial replay", fmt.Sprintf("cdw %s vs psql %s: %.2f", fmtDur(s[1].Median()), fmtDur(ref.Median()), ratio), ratio <= 0.8)
	} else {
		e.rep.unmeasured("B3", "`--threads 4` ≤ 0.8× psql's serial replay", "psql not found")
	}
	if dfBin != "" {
		df := s[len(s)-1]
		e.rep.add("B3", df.Name+label, df, &s[1])
		if why := failed(df, s[1]); why != "" {
			e.rep.unmeasured("B3", "≥ 3× faster than Dataform", why)
			return nil
		}
		speed := df.Median().Seconds() / s[1].Median().Seconds()
		e.rep.target("B3", "≥ 3× faster than Dataform", fmt.Sprintf("%.1f× (Dataform %s, cdw --threads 4 %s)", speed, fmtDur(df.Median()), fmtDur(s[1].Median())), speed >= 3)
	} else {
		e.rep.unmeasured("B3", "≥ 3× faster than Dataform", why)
	}
	return nil
}

// writeReplay writes what a hand-written script would run for the project
// — each model's compiled SQL as `create table as` (after dropping the old
// table and, by cascade, the views on it, which are recreated later in the
// order) or `create or replace view`, in dependency order — and returns
// its path. The project must have been compiled by cdw.
func writeReplay(cdwDir string, spec projectSpec) (string, error) {
	var b strings.Builder
	for i := 1; i <= spec.Models; i++ {
		m := spec.model(i)
		body, err := os.ReadFile(filepath.Join(cdwDir, "target", "compiled", spec.Name, "models", m.Folder, m.Name+".sql"))
		if err != nil {
			return "", fmt.Errorf("compiled SQL of %s : %w", m.Name, err)
		}
		rel := fmt.Sprintf("%q.%q", spec.Schema, m.Name)
		sql := strings.TrimSpace(string(body))
		if m.Table {
			fmt.Fprintf(&b, "drop table if exists %s cascade;\ncreate table %s as\n%s\n;\n", rel, rel, sql)
		} else {
			fmt.Fprintf(&b, "create or replace view %s as\n%s\n;\n", rel, sql)
		}
	}
	p := filepath.Join(cdwDir, "replay.sql")
	return p, os.WriteFile(p, []byte(b.String()), 0o644)
}

// dataformRunProject writes the Dataform equivalent of spec, with
// credentials for the bench database.
func (e *benchEnv) dataformRunProject(dir, bin string, spec projectSpec) error {
	if err := writeDataformProject(dir, spec, "b3_df"); err != nil {
		return err
	}
	u, err := parsePG(e.dbURL)
	if err != nil {
		return err
	}
	creds := fmt.Sprintf(`{"host": %q, "port": %s, "username": %q, "password": %q, "databaseName": %q}`+"\n", u.host, u.port, u.user, u.password, benchDB)
	if err := writeFiles(dir, map[string]string{".df-credentials.json": creds}); err != nil {
		return err
	}
	return linkDataformModules(dir, bin)
}
