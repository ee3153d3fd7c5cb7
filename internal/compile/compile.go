// Package compile renders a loaded project's nodes into executable SQL for
// one target: a model's select (with is_incremental() decided by the
// facts passed in) and a test's failing-rows query. It is pure: the clock
// and what exists in the warehouse are inputs, so compiled SQL is a
// function of the project, the target and Options.
package compile

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Options are the run-time inputs of compilation.
type Options struct {
	RunStartedAt time.Time
	InvocationID string
	// FullRefresh makes is_incremental() false, except for models that set
	// full_refresh: false (and full_refresh: true makes it false always).
	FullRefresh bool
	// IsTable reports whether a relation exists as a table in the target
	// warehouse; is_incremental() is true only for an incremental model
	// whose table exists. Nil means nothing exists (compile without a
	// connection).
	IsTable func(warehouse.Relation) bool
	// Defer, if set, may redirect a ref() to a model, seed or snapshot:
	// when it returns true, the ref renders as the returned relation instead
	// of the node's own (--defer reads unbuilt parents from another
	// environment).
	Defer func(*project.Node) (warehouse.Relation, bool)
	// Batch, if set, is the time window of the microbatch being compiled:
	// every ref() to a model and every source() of a table whose config
	// sets event_time reads only its rows with event_time in [Batch.Start,
	// Batch.End), through a CTE named __cdw_batch__<name> (so an alias
	// after the ref still works). Other refs and sources are not filtered.
	Batch *Batch
	// Batches carries a run's --start, --end and --restate to the
	// executor, which plans microbatch models with them; compile itself
	// does not read it.
	Batches BatchRange
	// Query runs SQL on the target for run_query(), {% call statement %}
	// and adapter.get_columns_in_relation, and makes `execute` true. Nil
	// (compile without a connection) renders as dbt's parse does.
	Query func(sql string) (*template.QueryResult, error)
}

// Batch is one microbatch window, [Start, End) in UTC.
type Batch struct{ Start, End time.Time }

// BatchRange is a run's range for microbatch models: batches overlapping
// [Start, End) (zero = unbounded), reprocessed even when done if Restate.
type BatchRange struct {
	Start, End time.Time
	Restate    bool
}

// Node is a compiled node.
type Node struct {
	ID string
	// SQL is the model's select, or the test's failing-rows query.
	SQL string
	// Incremental is true when a model was rendered with is_incremental().
	Incremental bool
	// File is where the SQL is written below target/compiled/ (see File).
	File string
}

// Compile renders one node.
func Compile(p *project.Project, id string, opts Options) (*Node, error) {
	n, ok := p.Nodes[id]
	if !ok {
		return nil, fmt.Errorf("compile: no node %s", id)
	}
	out := &Node{ID: id, File: File(p, n)}
	switch {
	case n.Kind == project.KindModel:
		inc := n.Config.EffectiveMaterialized() == config.MaterializedIncremental &&
			!n.Config.RebuildsOnFullRefresh(opts.FullRefresh) && opts.IsTable != nil && opts.IsTable(n.Relation)
		sql, err := render(p, n, opts, inc)
		if err != nil {
			return nil, err
		}
		out.SQL, out.Incremental = sql, inc
	case n.Kind == project.KindTest && n.Test.Generic == "":
		sql, err := render(p, n, opts, false)
		if err != nil {
			return nil, err
		}
		out.SQL = strings.TrimSpace(sql)
	case n.Kind == project.KindTest:
		sql, err := genericSQL(p, n, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", n.Path, n.Name, err)
		}
		out.SQL = sql
	default:
		return nil, fmt.Errorf("compile: %s is a %s; only models and tests compile", id, n.Kind)
	}
	return out, nil
}

// File is where a node's compiled SQL is written, relative to the
// target folder's compiled/ or run/ subfolder: <project>/<defining file>,
// and for a generic or unit test <project>/<yml file>/<test name>.sql.
func File(p *project.Project, n *project.Node) string {
	if n.Kind == project.KindTest && n.Test.Generic != "" || n.Kind == project.KindUnitTest {
		// Declared in properties YAML: one file per test in a folder named
		// after that YAML file (dbt's layout).
		return path.Join(p.Config.Name, n.Path, n.Name+".sql")
	}
	if n.Kind == project.KindSnapshot { // declared in YAML: one file per snapshot beside it
		return path.Join(p.Config.Name, path.Dir(n.Path), n.Name+".sql")
	}
	return path.Join(p.Config.Name, n.Path)
}

func render(p *project.Project, n *project.Node, opts Options, incremental bool) (string, error) {
	in := newInliner(p, opts)
	out, err := n.Template.Render(in.context(n, incremental))
	if err != nil {
		return "", err
	}
	return in.inject(out.SQL), nil
}

func newInliner(p *project.Project, opts Options) *inliner {
	return &inliner{p: p, opts: opts, sql: map[string]string{}, busy: map[string]bool{}}
}

// context is the render context of node n (nil for inline SQL).
func (in *inliner) context(n *project.Node, incremental bool) template.Context {
	p := in.p
	ctx := template.Context{
		Vars:          p.Vars,
		Env:           p.Env,
		Target:        template.Target{Name: p.Target.Name, Type: p.Target.Type, Schema: p.Target.Schema, Threads: p.Target.Threads},
		Resolver:      Resolver{P: p, in: in},
		IsIncremental: incremental,
		RunStartedAt:  in.opts.RunStartedAt,
		InvocationID:  in.opts.InvocationID,
		Query:         in.opts.Query,
	}
	if n != nil && n.Kind == project.KindModel {
		ctx.This = relation(p, n.Relation)
	}
	return ctx
}

// RelationOf is where node n is read from under opts: its own relation,
// or the one opts.Defer redirects it to.
func RelationOf(n *project.Node, opts Options) warehouse.Relation {
	deferrable := n.Kind == project.KindModel || n.Kind == project.KindSeed || n.Kind == project.KindSnapshot
	if deferrable && opts.Defer != nil {
		if rel, ok := opts.Defer(n); ok {
			return rel
		}
	}
	return n.Relation
}

func genericSQL(p *project.Project, n *project.Node, opts Options) (string, error) {
	t := n.Test
	in := newInliner(p, opts)
	// quoted is where a tested node is read from: an ephemeral model
	// becomes a CTE injected in front of the test's query.
	quoted := func(x *project.Node) (string, error) {
		if isEphemeral(x) {
			rel, err := in.ref(x)
			return rel.Quoted, err
		}
		return p.Dialect.QuoteRelation(RelationOf(x, opts)), nil
	}
	onRel, err := quoted(p.Nodes[t.On])
	if err != nil {
		return "", err
	}
	spec := quality.Spec{Test: t.Generic, Relation: onRel, Column: t.Column, Where: t.Where}
	switch t.Generic {
	case "accepted_values":
		spec.Values, _ = t.Args["values"].([]any)
	case "relationships":
		to, ok := p.Nodes[t.To]
		if !ok {
			return "", fmt.Errorf("relationships: %s is not in the project", t.To)
		}
		if spec.To, err = quoted(to); err != nil {
			return "", err
		}
		spec.Field, _ = t.Args["field"].(string)
	}
	sql, err := quality.FailingRowsSQL(p.Dialect, spec)
	if err != nil {
		return "", err
	}
	return in.inject(sql), nil
}

func relation(p *project.Project, r warehouse.Relation) template.Relation {
	return template.Relation{Schema: r.Schema, Name: r.Name, Quoted: p.Dialect.QuoteRelation(r)}
}

// Resolver resolves ref() and source() to the project's final relations;
// a ref to an ephemeral model becomes a CTE inlined into the query.
type Resolver struct {
	P  *project.Project
	in *inliner
}

// Ref implements template.Resolver.
func (r Resolver) Ref(name string) (template.Relation, error) {
	n, ok := r.P.Model(name)
	if !ok {
		return template.Relation{}, fmt.Errorf("ref(%q): no model named %q", name, name)
	}
	if isEphemeral(n) {
		if r.in == nil {
			return template.Relation{}, fmt.Errorf("ref(%q): ephemeral models can only be used from compiled SQL", name)
		}
		return r.in.ref(n)
	}
	if r.in != nil {
		if b := r.in.opts.Batch; b != nil && n.Config.EventTime != "" {
			return r.in.batchRef(n, RelationOf(n, r.in.opts), *b), nil
		}
		return relation(r.P, RelationOf(n, r.in.opts)), nil
	}
	return relation(r.P, n.Relation), nil
}

// Source implements template.Resolver.
func (r Resolver) Source(src, tbl string) (template.Relation, error) {
	n, ok := r.P.Nodes["source."+src+"."+tbl]
	if !ok {
		return template.Relation{}, fmt.Errorf("source(%q, %q): no such source table", src, tbl)
	}
	if r.in != nil {
		if b := r.in.opts.Batch; b != nil && n.Config.EventTime != "" {
			return r.in.batchRef(n, n.Relation, *b), nil
		}
	}
	return relation(r.P, n.Relation), nil
}

// Inline compiles ad-hoc SQL (cdw show --inline) against the project.
func Inline(p *project.Project, sql string, opts Options) (string, error) {
	tpl, err := p.Engine.Parse("<inline>", sql)
	if err != nil {
		return "", err
	}
	in := newInliner(p, opts)
	out, err := tpl.Render(in.context(nil, false))
	if err != nil {
		return "", err
	}
	return in.inject(out.SQL), nil
}
