package cli

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
)

var commandUsage = map[string]string{
	"run":   "build the selected models in dependency order",
	"test":  "run the data tests of the selected nodes",
	"build": "build models and run their tests in DAG order; a failing test skips what depends on it",
}

func runCommand(s *settings, name string) *ucli.Command {
	flags := append(selectionFlags(), deferFlags()...)
	flags = append(flags, &ucli.BoolFlag{Name: "fail-fast", Aliases: []string{"x"}, Usage: "stop at the first failure"})
	if name != "test" {
		flags = append(flags, &ucli.BoolFlag{Name: "full-refresh", Usage: "rebuild incremental models from scratch (not those with full_refresh: false)"})
		flags = append(flags, batchFlags()...)
		flags = append(flags, &ucli.BoolFlag{Name: "no-auto-upstream", Usage: "do not build unselected parents that the target does not have yet (by default they are built first)"})
		flags = append(flags, &ucli.StringFlag{Name: "from", Usage: "extractor nodes (--select extract:NAME+): the file or folder file extractors read (default: their from: setting)"})
	}
	return &ucli.Command{
		Name: name, Usage: commandUsage[name], Flags: flags,
		Action: func(c *ucli.Context) error { return runRun(c, s, name) },
	}
}

// runFlags are the options of run, test, build and retry.
type runFlags struct {
	fullRefresh, failFast, deferToState, favorState bool
	noAutoUpstream                                  bool
	selectExprs, excludeExprs                       []string
	stateDir, vars, from                            string

	// restate, start, end: --restate, --start, --end (microbatch models).
	restate    bool
	start, end string
}

func flagsOf(c *ucli.Context) runFlags {
	return runFlags{
		fullRefresh: c.Bool("full-refresh"), failFast: c.Bool("fail-fast"),
		deferToState: c.Bool("defer"), favorState: c.Bool("favor-state"),
		selectExprs: nonNil(c.StringSlice("select")), excludeExprs: nonNil(c.StringSlice("exclude")),
		stateDir: c.String("state"), vars: c.String("vars"), from: c.String("from"),
		restate: c.Bool("restate"), start: c.String("start"), end: c.String("end"),
		noAutoUpstream: c.Bool("no-auto-upstream"),
	}
}

// args records an invocation in run_results.json, for `cdw retry`.
func (f runFlags) args(cmd string, w *workspace) map[string]any {
	return map[string]any{
		"which": cmd, "select": f.selectExprs, "exclude": f.excludeExprs,
		"full_refresh": f.fullRefresh, "fail_fast": f.failFast,
		"target": w.targetName, "threads": w.target.Threads, "vars": f.vars,
		"state": f.stateDir, "defer": f.deferToState, "favor_state": f.favorState,
		"restate": f.restate, "start": f.start, "end": f.end, "from": w.pathOrEmpty(f.from),
		"no_auto_upstream": f.noAutoUpstream,
	}
}

func runRun(c *ucli.Context, s *settings, cmd string) error {
	if c.Args().Len() > 0 {
		return invalidf("%s takes no arguments; select nodes with --select", cmd)
	}
	w, p, err := loadProject(c, s)
	if err != nil {
		return err
	}
	sel, err := selectNodes(c, w, p, commandKinds(cmd))
	if err != nil {
		return err
	}
	if sel.ids, err = explicitExtractors(p, sel.ids, c.StringSlice("select")); err != nil {
		return invalid(err)
	}
	f := flagsOf(c)
	if f.restate {
		if err := restateSelection(c.App.Writer, p, sel, commandKinds(cmd)); err != nil {
			return err
		}
	}
	return execute(c, w, p, cmd, sel, f)
}

// execute runs the selected nodes of p as command cmd and writes the
// run's artifacts.
func execute(c *ucli.Context, w *workspace, p *project.Project, cmd string, sel *selection, f runFlags) error {
	out := c.App.Writer
	if len(sel.ids) == 0 {
		fmt.Fprintln(out, "nothing selected")
		return nil
	}
	batches, err := batchRange(f)
	if err != nil {
		return err
	}
	ctx := c.Context
	a, err := w.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	unlock, err := w.lockRun(ctx, a, p.Config.Name)
	if err != nil {
		return err
	}
	defer unlock()
	if (cmd == "run" || cmd == "build") && !f.deferToState && !f.noAutoUpstream {
		if err := withUnbuiltParents(ctx, out, a, p, sel, w.targetName); err != nil {
			return err
		}
	}
	plan := planFor(p, sel.ids, cmd == "build")
	gateTests(p, &plan, cmd == "build")

	inv := invocation{id: uuid.NewString(), start: time.Now().UTC()}
	exec := &run.Executor{Adapter: a, Project: p, Compile: compile.Options{
		RunStartedAt: inv.start, InvocationID: inv.id, FullRefresh: f.fullRefresh,
		Defer: sel.deferral(ctx, f, a), Batches: batches,
	}}
	exec.Extract = w.nodeExtract(out, a, w.pathOrEmpty(f.from), f.fullRefresh)
	if err := projectHooks(ctx, out, a, p, "on-run-start", exec.Compile); err != nil {
		return err
	}
	v := newRunView(out, p)
	fmt.Fprintf(out, "%s on %s: %s\n", cmd, w.targetName, planCounts(p, plan.Order))
	results := run.Execute(ctx, plan, exec.StepAny, run.Options{
		Threads: w.target.Threads, FailFast: f.failFast, Observer: v.event,
	})
	hookErr := projectHooks(ctx, out, a, p, "on-run-end", exec.Compile)
	w.recordTestHistory(ctx, c.App.ErrWriter, a, p, inv, cmd, results)
	v.failures(results)
	summary, bad := v.summary(results)
	fmt.Fprintln(out, summary)
	if err := w.writeRunArtifacts(p, inv, results, f.args(cmd, w)); err != nil {
		return fmt.Errorf("writing artifacts: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if bad {
		return failed("")
	}
	return hookErr
}

// planFor orders the selected nodes with their parents inside the
// selection. For build, a model's tests also become parents of the models
// that read it, so a failing error-severity test skips them — unless that
// would make the test wait for itself (a test reading a downstream model).
func planFor(p *project.Project, ids []string, build bool) run.Plan {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	plan := run.Plan{Parents: map[string][]string{}}
	planned := map[string]bool{}
	for _, id := range p.Graph.Order() {
		if n := p.Nodes[id]; n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
			continue // inlined into its dependants; nothing to build
		}
		if in[id] {
			plan.Order = append(plan.Order, id)
			planned[id] = true
		}
	}
	// A node waits for its nearest planned ancestors: through a source (to
	// its extractor) or an ephemeral model (to what it inlines).
	via := map[string][]string{}
	var nearest func(id string) []string
	nearest = func(id string) []string {
		if got, ok := via[id]; ok {
			return got
		}
		var out []string
		for _, parent := range p.Graph.Parents(id) {
			if planned[parent] {
				out = append(out, parent)
			} else {
				out = append(out, nearest(parent)...)
			}
		}
		slices.Sort(out)
		out = slices.Compact(out)
		via[id] = out
		return out
	}
	for _, id := range plan.Order {
		plan.Parents[id] = nearest(id)
	}
	if !build {
		return plan
	}
	memo := map[string]map[string]bool{}
	ancestorSet := func(id string) map[string]bool {
		if got, ok := memo[id]; ok {
			return got
		}
		set := map[string]bool{}
		for _, a := range p.Graph.Ancestors(id, -1) {
			set[a] = true
		}
		memo[id] = set
		return set
	}
	gated := map[string]map[string]bool{}
	for _, id := range plan.Order {
		if p.Nodes[id].Kind != project.KindTest || !allParentsBuilt(p, id, in) {
			// A test whose model is not being built here is skipped as "not
			// built"; it must not gate anything.
			continue
		}
		ancestors := ancestorSet(id)
		parents := p.Graph.Parents(id)
		for _, parent := range parents {
			for _, child := range p.Graph.Children(parent) {
				if !in[child] || p.Nodes[child].Kind == project.KindTest || ancestors[child] || gated[child][id] {
					continue
				}
				// Only a child that reads every relation the test reads
				// waits for it (dbt's rule): a relationships test between
				// two siblings must not gate the other sibling, or two such
				// tests would wait for each other.
				up := ancestorSet(child)
				if !all(parents, func(q string) bool { return up[q] }) {
					continue
				}
				if gated[child] == nil {
					gated[child] = map[string]bool{}
				}
				gated[child][id] = true
				plan.Parents[child] = append(plan.Parents[child], id)
			}
		}
	}
	return plan
}

func all[T any](xs []T, f func(T) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return true
}

// allParentsBuilt reports whether every relation test id reads that a
// build must create (models other than ephemerals, seeds, snapshots) is in
// the selection.
func allParentsBuilt(p *project.Project, id string, in map[string]bool) bool {
	for _, parent := range p.Graph.Parents(id) {
		n := p.Nodes[parent]
		buildable := n.Kind == project.KindSeed || n.Kind == project.KindSnapshot ||
			n.Kind == project.KindModel && n.Config.EffectiveMaterialized() != config.MaterializedEphemeral
		if buildable && !in[parent] {
			return false
		}
	}
	return true
}
