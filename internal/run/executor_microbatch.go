package run

import (
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/intervals"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// microbatch builds a time-window model. Its processed batches live in the
// interval state table (intervals.Store, created on first use).
//
// When its table is missing (or --full-refresh applies) the model is
// built in one query over every complete batch from begin (or --start) to
// the run's end, the rows filtered to that range, and the range recorded
// in the same transaction as the swap. Otherwise each batch the plan picks
// (gaps, the newest batch and lookback before it; with --restate every
// batch in range) is compiled with its window — refs to models with
// event_time read only the window — and replaces its window of the table
// in a transaction that also records it. Batches run oldest first; the
// first failure stops the model, and the batches before it stay recorded,
// so the next run resumes at the failed one.
func (e *Executor) microbatch(ctx context.Context, n *project.Node, opts compile.Options, aud *auditor) Outcome {
	cfg, rel := n.Config, n.Relation
	unit, err := intervals.ParseUnit(cfg.BatchSize)
	if err != nil {
		return errorOutcome(fmt.Errorf("%s: %w", n.Path, err))
	}
	begin, ok := cfg.BeginTime()
	if !ok {
		return errorOutcome(fmt.Errorf("%s: microbatch needs a valid begin", n.Path))
	}
	now := opts.RunStartedAt
	if now.IsZero() {
		now = time.Now()
	}
	req := intervals.Request{
		Unit: unit, Begin: begin, Now: now, Lookback: cfg.EffectiveLookback(),
		Start: opts.Batches.Start, End: opts.Batches.End, Restate: opts.Batches.Restate,
	}
	pa, err := e.physical(n)
	if err != nil {
		return errorOutcome(err)
	}
	store := intervals.Store{}
	if err := store.Ensure(ctx, e.Adapter); err != nil {
		return errorOutcome(err)
	}
	meta := intervals.Meta{ModelID: n.ID, Unit: unit, InvocationID: opts.InvocationID, ProcessedAt: now}
	d := e.Adapter.Dialect()
	kind, exists, err := e.Adapter.RelationKind(ctx, rel)
	if err != nil {
		return errorOutcome(err)
	}
	if !exists || kind != warehouse.KindTable || cfg.RebuildsOnFullRefresh(opts.FullRefresh) {
		lo, hi := req.Bounds()
		opts.Batch = &compile.Batch{Start: lo, End: hi}
		c, err := compile.Compile(e.Project, n.ID, opts)
		if err != nil {
			return errorOutcome(err)
		}
		rows, err := warehouse.BuildTableWith(ctx, pa, rel, c.SQL, warehouse.TableOptions{
			Window:    &warehouse.Window{Column: cfg.EventTime, Start: lo, End: hi},
			UniqueKey: cfg.UniqueKey, DedupeBy: cfg.DedupeBy, Audit: aud.fn(),
			InTx: func(ctx context.Context, tx warehouse.Conn, rows int64) error {
				if err := store.Reset(ctx, tx, d, rel); err != nil {
					return err
				}
				if !lo.Before(hi) {
					return nil
				}
				return store.Record(ctx, tx, d, rel, meta, intervals.Entry{Interval: intervals.Interval{Start: lo, End: hi}, Rows: rows})
			},
		})
		if err != nil {
			return errorOutcome(err)
		}
		span := "no complete batch yet"
		if lo.Before(hi) {
			span = fmt.Sprintf("%d %s batch(es) %s", len(unit.Split(lo, hi)), unit, intervals.Interval{Start: lo, End: hi})
		}
		return Outcome{Status: StatusSuccess, Rows: rows,
			Message: fmt.Sprintf("built microbatch %s in full: %s (%d rows)%s", rel, span, rows, aud.note())}
	}
	done, err := store.Done(ctx, e.Adapter, d, rel)
	if err != nil {
		return errorOutcome(err)
	}
	req.Done = done
	todo := req.Todo()
	if len(todo) == 0 {
		return Outcome{Status: StatusSuccess, Rows: 0, Message: fmt.Sprintf("microbatch %s: no complete batch in range", rel)}
	}
	var total int64
	var last string // the SQL of the last batch run, for target/run
	for i, iv := range todo {
		opts.Batch = &compile.Batch{Start: iv.Start, End: iv.End}
		c, err := compile.Compile(e.Project, n.ID, opts)
		if err != nil {
			return errorOutcome(err)
		}
		last = fmt.Sprintf("-- batch %s (%d of %d)\n%s", iv, i+1, len(todo), c.SQL)
		rows, err := warehouse.ApplyIncremental(ctx, pa, warehouse.IncrementalSpec{
			Relation: rel, Query: c.SQL, Strategy: warehouse.StrategyMicrobatch,
			Window:    &warehouse.Window{Column: cfg.EventTime, Start: iv.Start, End: iv.End},
			UniqueKey: cfg.UniqueKey, OnSchemaChange: cfg.OnSchemaChange, DedupeBy: cfg.DedupeBy, Audit: aud.fn(),
			InTx: func(ctx context.Context, tx warehouse.Conn, rows int64) error {
				return store.Record(ctx, tx, d, rel, meta, intervals.Entry{Interval: iv, Rows: rows})
			},
		})
		if err != nil {
			err = fmt.Errorf("batch %s (%d of %d) failed; %s: %w", iv, i+1, len(todo), doneSoFar(todo[:i]), err)
			return errorOutcome(err)
		}
		total += rows
	}
	verb := "processed"
	if req.Restate {
		verb = "restated"
	}
	return Outcome{Status: StatusSuccess, Rows: total, SQL: last,
		Message: fmt.Sprintf("%s %d %s batch(es) of %s: %s (%d rows)%s", verb, len(todo), unit, rel, intervals.Spans(todo), total, aud.note())}
}

func doneSoFar(done []intervals.Interval) string {
	if len(done) == 0 {
		return "no batch was written"
	}
	return "done and recorded: " + intervals.Spans(done)
}
