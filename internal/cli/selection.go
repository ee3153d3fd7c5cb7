package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/state"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func selectionFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "select", Aliases: []string{"s"}, Usage: "nodes to include (dbt syntax: name, +name, name+, tag:x, path:x, state:modified, a,b ...)"},
		&ucli.StringSliceFlag{Name: "exclude", Usage: "nodes to leave out (same syntax)"},
		&ucli.StringFlag{Name: "selector", Usage: "a named selector from selectors.yml"},
		&ucli.StringFlag{Name: "indirect-selection", Value: "eager", Usage: "which tests come with selected nodes: eager, cautious, buildable or empty"},
		&ucli.StringFlag{Name: "state", Usage: "a previous run's target folder, for state: and result: selectors and --defer"},
	}
}

func deferFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "defer", Usage: "read unselected parents that this target has not built from the --state environment"},
		&ucli.BoolFlag{Name: "favor-state", Usage: "with --defer, read unselected parents from --state even when built here"},
	}
}

// selection holds a command's --select/--exclude result and the state it
// was judged against.
type selection struct {
	ids   []string
	set   map[string]bool
	state *state.State // nil without --state
}

// selectNodes applies --select/--exclude or --selector (with state: and
// result: when --state is given, selector: for selectors.yml, and the
// default selector when nothing is selected) and keeps the node kinds a
// command runs.
func selectNodes(c *ucli.Context, w *workspace, p *project.Project, kinds map[string]bool) (*selection, error) {
	sel, excl, named := c.StringSlice("select"), c.StringSlice("exclude"), c.String("selector")
	mode := dag.IndirectMode(c.String("indirect-selection"))
	switch mode {
	case dag.IndirectEager, dag.IndirectCautious, dag.IndirectBuildable, dag.IndirectEmpty:
	default:
		return nil, invalidf("--indirect-selection %q: use eager, cautious, buildable or empty", mode)
	}
	opts := dag.SelectOptions{Indirect: mode, Methods: map[string]dag.Method{
		"state":  needsState("state"),
		"result": needsState("result"),
	}}
	out := &selection{set: map[string]bool{}}
	if dir := c.String("state"); dir != "" {
		cur := artifacts.BuildManifest(p, w.metadata(invocation{start: time.Now()}))
		st, err := state.Load(w.pathFromCwd(dir), cur)
		if err != nil {
			return nil, invalid(err)
		}
		out.state = st
		opts.Methods["state"] = st.Method()
		opts.Methods["result"] = st.ResultMethod()
	}
	selectors, err := newSelectors(w, p, opts)
	if err != nil {
		return nil, err
	}
	opts.Methods["selector"] = selectors.method()
	var ids []string
	switch {
	case named != "" && len(sel)+len(excl) > 0:
		return nil, invalidf("--selector cannot be combined with --select or --exclude (use selector:%s inside --select)", named)
	case named != "":
		ids, err = selectors.eval(named)
	case len(sel) == 0 && len(excl) == 0 && selectors.defaultName != "":
		fmt.Fprintf(c.App.ErrWriter, "using default selector %q from %s\n", selectors.defaultName, config.SelectorsFile)
		ids, err = selectors.eval(selectors.defaultName)
	default:
		ids, err = p.Graph.Select(sel, excl, opts)
	}
	if err != nil {
		return nil, invalid(err)
	}
	if unmatched, _ := p.Graph.UnmatchedTerms(sel, opts); len(unmatched) > 0 {
		fmt.Fprintf(c.App.ErrWriter, "warning: --select %q matches no node\n", unmatched)
	}
	for _, id := range ids {
		if kinds[p.Nodes[id].Kind] {
			out.ids = append(out.ids, id)
			out.set[id] = true
		}
	}
	if c.Bool("defer") && out.state == nil {
		return nil, invalidf("--defer needs --state DIR (the other environment's target folder)")
	}
	return out, nil
}

func needsState(method string) dag.Method {
	return dag.Method{
		Validate: func(string) error { return errors.New(method + ": needs --state DIR (a previous run's target folder)") },
		Match:    func(dag.Node, string) bool { return false },
	}
}

// deferral returns compile's Defer hook for --defer: an unselected model, seed or snapshot
// that this target has not built (or any unselected model with
// --favor-state) is read from the state's relation.
func (s *selection) deferral(ctx context.Context, f runFlags, a warehouse.Adapter) func(*project.Node) (warehouse.Relation, bool) {
	if !f.deferToState || s.state == nil {
		return nil
	}
	favor := f.favorState
	return func(n *project.Node) (warehouse.Relation, bool) {
		if s.set[n.ID] {
			return warehouse.Relation{}, false
		}
		if !favor {
			if _, built, err := a.RelationKind(ctx, n.Relation); err == nil && built {
				return warehouse.Relation{}, false
			}
		}
		return s.state.Deferred(n)
	}
}
