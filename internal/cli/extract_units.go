package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// splitExtractors sorts the named extractors into API (unit) extractors
// and file extractor names. Files and APIs are extracted by separate
// commands.
func splitExtractors(all []extract.Extractor, names []string) ([]extract.UnitExtractor, []string, error) {
	var units []extract.UnitExtractor
	var files []string
	for _, n := range names {
		i := slices.IndexFunc(all, func(e extract.Extractor) bool { return e.Name() == n })
		if i < 0 {
			files = append(files, n) // the file runner names the unknown ones
			continue
		}
		if u, ok := all[i].(extract.UnitExtractor); ok {
			units = append(units, u)
		} else {
			files = append(files, n)
		}
	}
	if len(units) > 0 && len(files) > 0 {
		return nil, nil, fmt.Errorf("extract files (%s) and APIs (%s) in separate commands", strings.Join(files, ", "), units[0].Name())
	}
	return units, files, nil
}

// secretHolder is implemented by plans that hold credentials: the CLI
// masks them in everything it prints.
type secretHolder interface{ Secrets() []string }

// extractUnits runs API extractors one after the other.
func extractUnits(c *ucli.Context, s *settings, units []extract.UnitExtractor) error {
	w, err := loadWorkspace(c, s)
	if err != nil {
		return err
	}
	mode, err := progressMode(c.String("progress"), s)
	if err != nil {
		return invalid(err)
	}
	ctx := c.Context
	a, err := w.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := extract.NewUnitRunner(a, "raw")
	if err != nil {
		return err
	}
	req := unitRequest{units: c.String("accounts"), from: c.String("from"), land: c.String("land"),
		fullRefresh: c.Bool("full-refresh"), mode: mode}
	anyFailed := false
	for _, ue := range units {
		failedHere, err := w.extractUnit(ctx, c.App.Writer, a, r, ue, req)
		if err != nil {
			return err
		}
		anyFailed = anyFailed || failedHere
	}
	if anyFailed {
		return failed("")
	}
	return nil
}

// unitRequest is what a run of an API extractor was asked for.
type unitRequest struct {
	units, from, land string
	fullRefresh       bool
	mode              string // progress view: "bar" or "lines"
}

// extractUnit prepares and runs one API extractor with the project's
// settings, printing progress and a summary to out. It reports whether a
// unit failed (recorded, retried next run); an invalid request or setting
// is an invalid error (exit 2).
func (w *workspace) extractUnit(ctx context.Context, out io.Writer, a warehouse.Adapter, r *extract.UnitRunner, ue extract.UnitExtractor, req unitRequest) (bool, error) {
	if err := r.CheckTables(ctx, ue); err != nil {
		return false, invalid(err)
	}
	node, err := w.cfg.Extractor(ue.Name())
	if err != nil {
		return false, invalid(err)
	}
	plan, err := ue.Prepare(ctx, extract.PrepareRequest{
		Settings: node, Dir: w.dir, Target: w.targetName,
		Units: req.units, From: req.from, Land: req.land, FullRefresh: req.fullRefresh, Getenv: w.s.env,
		Query: func(ctx context.Context, sql string) ([][]any, error) {
			res, err := a.Query(ctx, sql, -1)
			if err != nil {
				return nil, err
			}
			return res.Rows, nil
		},
	})
	if err != nil {
		if extract.IsInvalid(err) {
			return false, invalid(err)
		}
		return false, err
	}
	if sh, ok := plan.(secretHolder); ok {
		w.s.redactor.Add(sh.Secrets()...)
	}
	defer plan.Close()
	return runUnits(ctx, out, w.targetName, r, ue, plan, req.mode, req.fullRefresh)
}

// runUnits runs one prepared plan with a progress view and prints its
// summary. It reports whether any unit failed.
func runUnits(ctx context.Context, out io.Writer, target string, r *extract.UnitRunner, ue extract.UnitExtractor, plan extract.UnitPlan, mode string, fullRefresh bool) (bool, error) {
	fmt.Fprintf(out, "%s: %s\n", ue.Name(), plan.Summary())
	v := newUnitView(out, ue.Name(), plan, mode == "bar")
	rep, err := r.Run(ctx, ue, plan, extract.UnitRunOptions{FullRefresh: fullRefresh, Observer: v.event})
	v.finish()
	failedUnits := rep.Failed()
	for _, f := range failedUnits {
		fmt.Fprintf(out, "  FAIL   %-10s %s: %s (failed %d run(s) in a row; retried next run)\n", ue.Name(), f.Unit, firstLine(f.Err.Error()), f.Attempts)
	}
	if len(rep.StreamRows) > 0 {
		names := make([]string, 0, len(rep.StreamRows))
		for k := range rep.StreamRows {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %d", n, rep.StreamRows[n])
		}
		fmt.Fprintf(out, "  rows:  %s\n", strings.Join(parts, ", "))
	}
	var rows, rejected int64
	for _, res := range rep.Results {
		rows += res.Rows
		rejected += res.Rejected
	}
	cn := plan.Counters()
	fmt.Fprintf(out, "%s: %s: %d loaded (%d rows, %d rejected into raw.rejected_records), %d unchanged, %d failed, %d interrupted; %d requests, %d retries\n",
		target, ue.Name(), rep.Count(extract.UnitCommitted), rows, rejected, rep.Count(extract.UnitUnchanged),
		len(failedUnits), rep.Count(extract.UnitInterrupted), cn.Requests, cn.Retries)
	if err != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintf(out, "%s: interrupted: every account finished before the interruption is committed; run again to resume\n", ue.Name())
	}
	return len(failedUnits) > 0, err
}
