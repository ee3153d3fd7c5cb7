package cli

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/freshness"
	"github.com/cdw-dev/cdw/internal/project"
)

// freshnessCommand is `cdw freshness`: how long ago did each selected
// source table with a freshness check last receive data? Writes
// target/sources.json; exits 1 when a table is past error_after or cannot
// be checked, 0 when the worst is a warning.
func freshnessCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "freshness",
		Usage: "check when the selected source tables last received data (loaded_at_field against warn_after/error_after)",
		Flags: selectionFlags(),
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("freshness takes no arguments; select sources with --select (e.g. source:raw)")
			}
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			sel, err := selectNodes(c, w, p, map[string]bool{project.KindSource: true})
			if err != nil {
				return err
			}
			var checks []freshness.Check
			for _, id := range sel.ids {
				n := p.Nodes[id]
				if n.Freshness == nil {
					continue
				}
				checks = append(checks, freshness.Check{ID: id, Relation: n.Relation, LoadedAtField: n.Freshness.LoadedAtField, Freshness: n.Freshness.Decl})
			}
			out := c.App.Writer
			if len(checks) == 0 {
				fmt.Fprintln(out, "nothing to check: no selected source table has freshness (set loaded_at_field and freshness in its YAML)")
				return nil
			}
			sort.Slice(checks, func(i, j int) bool { return checks[i].ID < checks[j].ID })
			ctx := c.Context
			a, err := w.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			inv := invocation{id: uuid.NewString(), start: time.Now().UTC()}
			fmt.Fprintf(out, "freshness on %s: %s\n", w.targetName, plural(len(checks), "source table"))
			results := make([]freshness.Result, len(checks))
			durations := make([]time.Duration, len(checks))
			sem := make(chan struct{}, max(w.target.Threads, 1))
			var wg sync.WaitGroup
			for i, chk := range checks {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					start := time.Now()
					results[i] = freshness.Measure(ctx, a, a.Dialect(), chk, start)
					durations[i] = time.Since(start)
				}()
			}
			wg.Wait()
			count := map[freshness.Status]int{}
			bad := false
			for i, r := range results {
				count[r.Status]++
				bad = bad || r.Status.Failed()
				fmt.Fprintln(out, freshnessLine(p, r, i+1, len(results), durations[i]))
			}
			var parts []string
			for _, st := range []freshness.Status{freshness.StatusPass, freshness.StatusWarn, freshness.StatusError, freshness.StatusRuntimeError} {
				if count[st] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", count[st], st))
				}
			}
			head := "Done"
			if bad {
				head = "Failed"
			}
			fmt.Fprintf(out, "\n%s: %s\n", head, strings.Join(parts, ", "))
			doc := artifacts.BuildSources(p, results, durations, w.metadata(inv), time.Since(inv.start))
			if err := artifacts.WriteSources(w.targetDir(), doc); err != nil {
				return fmt.Errorf("writing %s: %w", artifacts.SourcesFile, err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if bad {
				return failed("")
			}
			return nil
		},
	}
}

var freshnessWord = map[freshness.Status]string{
	freshness.StatusPass: "PASS", freshness.StatusWarn: "WARN", freshness.StatusError: "ERROR", freshness.StatusRuntimeError: "ERROR",
}

// freshnessLine is one result: status, table, newest row and its age, or why.
func freshnessLine(p *project.Project, r freshness.Result, i, total int, d time.Duration) string {
	what := ""
	if !r.MaxLoadedAt.IsZero() {
		what = fmt.Sprintf("max(%s) %s, %s ago", r.LoadedAtField, r.MaxLoadedAt.Format("2006-01-02 15:04:05"), freshness.Round(r.Age))
	}
	if r.Message != "" {
		if what != "" {
			what += ": "
		}
		what += firstLine(r.Message)
	}
	width := len(fmt.Sprint(total))
	line := fmt.Sprintf("  %*d/%d  %-5s  %-40s %6s  %s", width, i, total, freshnessWord[r.Status], p.Nodes[r.ID].Name, seconds(d), what)
	return strings.TrimRight(line, " ")
}
