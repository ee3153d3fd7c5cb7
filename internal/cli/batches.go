package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// batchFlags are the flags of run and build for microbatch (time-window)
// models.
func batchFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "restate", Usage: "reprocess the batches of the selected microbatch models in --start..--end even if done, and rebuild what depends on them"},
		&ucli.StringFlag{Name: "start", Usage: "microbatch models: only batches overlapping from this date or time (UTC, e.g. 2024-01-31 or 2024-01-31T06:00)"},
		&ucli.StringFlag{Name: "end", Usage: "microbatch models: only batches overlapping before this date or time (exclusive; batches must also be complete)"},
	}
}

// batchRange parses --start, --end and --restate.
func batchRange(f runFlags) (compile.BatchRange, error) {
	r := compile.BatchRange{Restate: f.restate}
	for _, x := range []struct {
		flag, val string
		into      *time.Time
	}{{"start", f.start, &r.Start}, {"end", f.end, &r.End}} {
		if x.val == "" {
			continue
		}
		t, err := config.ParseTime(x.val)
		if err != nil {
			return r, invalidf("--%s: %v", x.flag, err)
		}
		*x.into = t
	}
	if !r.Start.IsZero() && !r.End.IsZero() && !r.Start.Before(r.End) {
		return r, invalidf("--start %s is not before --end %s", f.start, f.end)
	}
	return r, nil
}

// restateSelection adds to sel, for --restate, every node of the command's
// kinds that depends on a selected microbatch model, so the restated
// range reaches them; it is an invocation error when no microbatch model
// is selected. It tells w which nodes it added.
func restateSelection(w io.Writer, p *project.Project, sel *selection, kinds map[string]bool) error {
	var roots []string
	for _, id := range sel.ids {
		if n := p.Nodes[id]; n.Kind == project.KindModel && n.Config.IsMicrobatch() {
			roots = append(roots, id)
		}
	}
	if len(roots) == 0 {
		return invalidf("--restate reprocesses microbatch (time-window) models, and none is selected")
	}
	var added []string
	for _, root := range roots {
		for _, id := range p.Graph.Descendants(root, -1) {
			if n := p.Nodes[id]; !sel.set[id] && kinds[n.Kind] {
				sel.set[id] = true
				added = append(added, id)
			}
		}
	}
	if len(added) == 0 {
		return nil
	}
	sel.ids = sel.ids[:0]
	for _, id := range p.Graph.Order() {
		if sel.set[id] {
			sel.ids = append(sel.ids, id)
		}
	}
	fmt.Fprintf(w, "restate: also rebuilding %d node(s) that depend on the restated model(s)\n", len(added))
	return nil
}

// projectHooks runs project.yml's on-run-start or on-run-end, saying how
// many ran when there are any; a failure is exit 1 naming the hook.
func projectHooks(ctx context.Context, out io.Writer, a warehouse.Adapter, p *project.Project, which string, opts compile.Options) error {
	hooks := p.Config.OnRunStart
	if which == "on-run-end" {
		hooks = p.Config.OnRunEnd
	}
	if len(hooks) == 0 || ctx.Err() != nil {
		return nil
	}
	n, err := run.ProjectHooks(ctx, a, p, which, opts)
	if err != nil {
		fmt.Fprintf(out, "ERROR %v\n", err)
		return failed("")
	}
	if n == len(hooks) {
		fmt.Fprintf(out, "%s: %d hook(s) ran\n", which, n)
	} else { // a hook that only logs renders to no SQL
		fmt.Fprintf(out, "%s: %d hook(s) ran, %d of them SQL\n", which, len(hooks), n)
	}
	return nil
}
