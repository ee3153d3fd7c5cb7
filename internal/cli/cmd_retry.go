package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/state"
)

func retryCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "retry",
		Usage: "rerun what failed or was skipped in the last run, test or build — and nothing else",
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("retry takes no arguments")
			}
			w, err := openWorkspace(c, s)
			if err != nil {
				return err
			}
			rr, err := artifacts.ReadRunResults(w.targetDir())
			if errors.Is(err, fs.ErrNotExist) {
				return invalidf("nothing to retry: no %s in %s (run, test or build first)", artifacts.RunResultsFile, w.cfg.Paths.Target)
			}
			if err != nil {
				return invalid(err)
			}
			// The last run's target, unless --target (or $CDW_TARGET) says
			// otherwise.
			target := c.String("target")
			if last, _ := rr.Args["target"].(string); last != "" && !c.IsSet("target") {
				target = last
			}
			if err := w.useTarget(c, target); err != nil {
				return err
			}
			p, err := w.project()
			if err != nil {
				return err
			}
			cmd, _ := rr.Args["which"].(string)
			if cmd != "run" && cmd != "test" && cmd != "build" {
				return invalidf("the last run_results.json records command %q; retry repeats run, test or build", cmd)
			}
			f := runFlags{
				fullRefresh: argBool(rr.Args, "full_refresh"), failFast: argBool(rr.Args, "fail_fast"),
				deferToState: argBool(rr.Args, "defer"), favorState: argBool(rr.Args, "favor_state"),
				noAutoUpstream: true, // the last run's nodes and nothing else
			}
			f.stateDir, _ = rr.Args["state"].(string)
			f.restate = argBool(rr.Args, "restate")
			f.start, _ = rr.Args["start"].(string)
			f.from, _ = rr.Args["from"].(string)
			f.end, _ = rr.Args["end"].(string)
			sel := &selection{set: map[string]bool{}}
			for _, r := range rr.Results {
				if r.Status != "error" && r.Status != "fail" && r.Status != "skipped" {
					continue
				}
				if _, ok := p.Nodes[r.CDWID]; !ok {
					fmt.Fprintf(c.App.ErrWriter, "warning: %s is no longer in the project\n", r.CDWID)
					continue
				}
				sel.ids = append(sel.ids, r.CDWID)
				sel.set[r.CDWID] = true
			}
			if len(sel.ids) == 0 {
				fmt.Fprintf(c.App.Writer, "nothing to retry: the last %s had no errors, failures or skips\n", cmd)
				return nil
			}
			if f.stateDir != "" {
				cur := artifacts.BuildManifest(p, w.metadata(invocation{start: time.Now()}))
				if sel.state, err = state.Load(f.stateDir, cur); err != nil {
					return invalid(err)
				}
			}
			fmt.Fprintf(c.App.Writer, "retrying %d node(s) of the last %s\n", len(sel.ids), cmd)
			return execute(c, w, p, cmd, sel, f)
		},
	}
}

func argBool(args map[string]any, key string) bool {
	b, _ := args[key].(bool)
	return b
}
