package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// model builds one model: its pre_hooks, the materialization, then its
// post_hooks. A failing pre_hook stops the model before anything is
// built; a failing post_hook makes the model an error although it was
// built (the message says so). Hooks run in order, each on its own, on
// pooled connections: a session setting in a pre_hook does not reach the
// build.
func (e *Executor) model(ctx context.Context, n *project.Node, c *compile.Node) Outcome {
	opts := e.modelOptions(ctx)
	if e.restatesInFull(n) {
		// --restate: an incremental model that cannot rebuild a time range
		// is rebuilt in full, so the restated range reaches it.
		opts.FullRefresh = true
		var err error
		if c, err = compile.Compile(e.Project, n.ID, opts); err != nil {
			return errorOutcome(err)
		}
	}
	hooks, err := compile.ModelHooks(e.Project, n.ID, opts, c.Incremental)
	if err != nil {
		return errorOutcome(err)
	}
	if err := e.runHooks(ctx, "pre_hook", hooks.Pre); err != nil {
		return errorOutcome(fmt.Errorf("%s not built: %w", n.Relation, err))
	}
	out := e.materialize(ctx, n, c, opts)
	if out.Status != StatusSuccess {
		return out
	}
	if err := e.runHooks(ctx, "post_hook", hooks.Post); err != nil {
		err = fmt.Errorf("%s; then %w", out.Message, err)
		return Outcome{Status: StatusError, Message: err.Error(), Rows: out.Rows, Err: err}
	}
	return out
}

// runHooks runs rendered hooks in order, stopping at the first failure.
func (e *Executor) runHooks(ctx context.Context, which string, sqls []string) error {
	for i, sql := range sqls {
		if err := e.Adapter.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s %d of %d failed: %w", which, i+1, len(sqls), err)
		}
	}
	return nil
}

// modelOptions are the compile options for a model compiled now.
func (e *Executor) modelOptions(ctx context.Context) compile.Options { return e.compileOptions(ctx) }

// restatesInFull reports whether n is an incremental model (not
// microbatch) in a --restate run, which rebuilds it in full unless
// full_refresh: false pins it.
func (e *Executor) restatesInFull(n *project.Node) bool {
	cfg := n.Config
	return e.Compile.Batches.Restate && !e.Compile.FullRefresh &&
		cfg.EffectiveMaterialized() == config.MaterializedIncremental && !cfg.IsMicrobatch() &&
		cfg.RebuildsOnFullRefresh(true)
}

func (e *Executor) materialize(ctx context.Context, n *project.Node, c *compile.Node, opts compile.Options) Outcome {
	a, err := e.physical(n)
	if err != nil {
		return errorOutcome(err)
	}
	rel := n.Relation
	cfg := n.Config
	aud := e.auditor(n, opts)
	switch m := cfg.EffectiveMaterialized(); m {
	case config.MaterializedView:
		if err := warehouse.BuildView(ctx, a, rel, c.SQL); err != nil {
			return errorOutcome(err)
		}
		return Outcome{Status: StatusSuccess, Message: "created view " + rel.String(), Rows: -1}
	case config.MaterializedTable:
		rows, err := warehouse.BuildTableWith(ctx, a, rel, c.SQL, warehouse.TableOptions{Audit: aud.fn()})
		if err != nil {
			return errorOutcome(err)
		}
		return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("built table %s (%d rows)%s", rel, rows, aud.note()), Rows: rows}
	case config.MaterializedIncremental:
		if cfg.IsMicrobatch() {
			return e.microbatch(ctx, n, opts, aud)
		}
		if !c.Incremental {
			rows, err := warehouse.BuildTableWith(ctx, a, rel, c.SQL, warehouse.TableOptions{
				UniqueKey: cfg.UniqueKey, DedupeBy: cfg.DedupeBy, Audit: aud.fn(),
			})
			if err != nil {
				return errorOutcome(err)
			}
			return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("built incremental %s in full (%d rows)%s", rel, rows, aud.note()), Rows: rows}
		}
		strategy := cfg.EffectiveIncrementalStrategy()
		rows, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{
			Relation: rel, Query: c.SQL, Strategy: strategy, UniqueKey: cfg.UniqueKey,
			OnSchemaChange: cfg.OnSchemaChange, DedupeBy: cfg.DedupeBy, Audit: aud.fn(),
		})
		if err != nil {
			return errorOutcome(err)
		}
		msg := fmt.Sprintf("%s %d rows into %s%s", pastTense(strategy), rows, rel, aud.note())
		if opts.FullRefresh {
			msg += " (full_refresh: false: not rebuilt)"
		}
		return Outcome{Status: StatusSuccess, Message: msg, Rows: rows}
	default:
		return errorOutcome(fmt.Errorf("materialized %q is not supported yet", m))
	}
}

func pastTense(strategy string) string {
	switch strategy {
	case config.StrategyAppend:
		return "appended"
	case config.StrategyDeleteInsert:
		return "deleted and inserted"
	}
	return "merged"
}
