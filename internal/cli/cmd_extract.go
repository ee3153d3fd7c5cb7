package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/warehouse"
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
	sum, err := landFiles(ctx, c.App.Writer, w, a, s.extractors, files, c.String("from"))
	if err != nil {
		return err
	}
	if sum.failed > 0 {
		return failed("")
	}
	return nil
}

// fileSummary counts what landFiles did.
type fileSummary struct {
	loaded, skipped, failed, ignored int
	rows, rejected                   int64
}

func (f fileSummary) String() string {
	return fmt.Sprintf("%d file(s) loaded (%d rows, %d rejected into raw.rejected_records), %d skipped, %d failed, %d ignored",
		f.loaded, f.rows, f.rejected, f.skipped, f.failed, f.ignored)
}

// landFiles lands the files under from with the named file extractors (all
// when names is empty), a line per file and a summary to out. Bad
// invocations and missing raw tables are invalid (exit 2); a file that
// fails is counted, and the others still land.
func landFiles(ctx context.Context, out io.Writer, w *workspace, a warehouse.Adapter, all []extract.Extractor, names []string, from string) (fileSummary, error) {
	var sum fileSummary
	r, err := extract.NewRunner(a, "raw", all)
	if err != nil {
		return sum, err
	}
	chosen, err := r.Select(names)
	if err != nil {
		return sum, invalid(err)
	}
	jobs, ignored, err := r.Plan(from, chosen)
	if err != nil {
		return sum, invalid(err)
	}
	sum.ignored = len(ignored)
	if err := r.CheckTables(ctx, chosen); err != nil {
		return sum, invalid(err)
	}
	results, runErr := r.Run(ctx, jobs)
	for _, res := range results {
		name := filepath.Base(res.Path)
		switch res.Status {
		case extract.StatusLoaded:
			sum.loaded++
			sum.rows += res.Rows
			sum.rejected += res.Rejected
			fmt.Fprintf(out, "  OK     %-10s %s: %d rows, %d rejected\n", res.Extractor, name, res.Rows, res.Rejected)
		case extract.StatusSkipped:
			sum.skipped++
			note := "already loaded"
			if res.LoadedAs != "" && res.LoadedAs != name {
				note = "same content already loaded as " + res.LoadedAs
			}
			fmt.Fprintf(out, "  SKIP   %-10s %s: %s\n", res.Extractor, name, note)
		case extract.StatusFailed:
			sum.failed++
			fmt.Fprintf(out, "  FAIL   %-10s %s: %v (nothing loaded)\n", res.Extractor, name, res.Err)
		}
	}
	fmt.Fprintf(out, "%s: %s\n", w.targetName, sum)
	return sum, runErr
}
