package cli

import (
	"fmt"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/extract"
)

func extractCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name: "extract",
		Usage: "land source files into the raw schema (idempotent: a file already loaded is skipped), " +
			"or API data (incremental, one account at a time: cdw extract billing)",
		ArgsUsage: "[EXTRACTOR...]",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "from", Usage: "a file or folder to read (folders are walked recursively); for an API extractor, landed pages to load (s3://bucket/prefix)"},
			&ucli.StringFlag{Name: "accounts", Usage: "API extractors: the accounts to fetch, e.g. 1-50,77 (default: the project's account universe)"},
			&ucli.BoolFlag{Name: "full-refresh", Usage: "API extractors: fetch everything again, ignoring cursors"},
			&ucli.StringFlag{Name: "land", Usage: "API extractors: land raw pages here first (s3://bucket/prefix), then load them from there"},
			&ucli.StringFlag{Name: "progress", Value: "auto", Usage: "API extractors: auto (a bar on a terminal), bar, or lines"},
		},
		Action: func(c *ucli.Context) error { return extractRun(c, s) },
	}
}

func extractRun(c *ucli.Context, s *settings) error {
	units, files, err := splitExtractors(s.extractors, c.Args().Slice())
	if err != nil {
		return invalid(err)
	}
	if len(units) > 0 {
		return extractUnits(c, s, units)
	}
	for _, f := range []string{"accounts", "full-refresh", "land"} {
		if c.IsSet(f) {
			return invalidf("--%s applies to API extractors only (e.g. cdw extract billing --%s ...)", f, f)
		}
	}
	if c.String("from") == "" {
		return invalidf("Required flag \"from\" not set: cdw extract [EXTRACTOR...] --from PATH lands files; API extractors are named: cdw extract billing")
	}
	w, err := loadWorkspace(c, s)
	if err != nil {
		return err
	}
	ctx := c.Context
	a, err := w.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := extract.NewRunner(a, "raw", s.extractors)
	if err != nil {
		return err
	}
	chosen, err := r.Select(files)
	if err != nil {
		return invalid(err)
	}
	jobs, ignored, err := r.Plan(c.String("from"), chosen)
	if err != nil {
		return invalid(err)
	}
	if err := r.CheckTables(ctx, chosen); err != nil {
		return invalid(err)
	}
	out := c.App.Writer
	results, runErr := r.Run(ctx, jobs)
	var loaded, skipped, failedFiles int
	var rows, rejected int64
	for _, res := range results {
		name := filepath.Base(res.Path)
		switch res.Status {
		case extract.StatusLoaded:
			loaded++
			rows += res.Rows
			rejected += res.Rejected
			fmt.Fprintf(out, "  OK     %-10s %s: %d rows, %d rejected\n", res.Extractor, name, res.Rows, res.Rejected)
		case extract.StatusSkipped:
			skipped++
			note := "already loaded"
			if res.LoadedAs != "" && res.LoadedAs != name {
				note = "same content already loaded as " + res.LoadedAs
			}
			fmt.Fprintf(out, "  SKIP   %-10s %s: %s\n", res.Extractor, name, note)
		case extract.StatusFailed:
			failedFiles++
			fmt.Fprintf(out, "  FAIL   %-10s %s: %v (nothing loaded)\n", res.Extractor, name, res.Err)
		}
	}
	fmt.Fprintf(out, "%s: %d file(s) loaded (%d rows, %d rejected into raw.rejected_records), %d skipped, %d failed, %d ignored\n",
		w.targetName, loaded, rows, rejected, skipped, failedFiles, len(ignored))
	if runErr != nil {
		return runErr
	}
	if failedFiles > 0 {
		return failed("")
	}
	return nil
}
