package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Executor builds models and runs data tests of a project on an adapter.
// Each node is compiled when it runs, so is_incremental() sees the
// warehouse as it is at that moment. Safe for concurrent Step calls.
type Executor struct {
	Adapter warehouse.Adapter
	Project *project.Project
	// Compile carries run_started_at, the invocation id and --full-refresh.
	Compile compile.Options
	// SampleRows is how many failing rows a failed test keeps (default 5).
	SampleRows int
}

// TestDetail is the Outcome.Detail of a test that found failing rows.
type TestDetail struct {
	Severity quality.Severity
	Sample   *warehouse.Result
}

// Step implements run.Step for models and tests.
func (e *Executor) Step(ctx context.Context, id string) Outcome {
	n, ok := e.Project.Nodes[id]
	if !ok {
		return errorOutcome(fmt.Errorf("no node %s", id))
	}
	opts := e.Compile
	opts.IsTable = func(r warehouse.Relation) bool {
		kind, ok, err := e.Adapter.RelationKind(ctx, r)
		return err == nil && ok && kind == warehouse.KindTable
	}
	c, err := compile.Compile(e.Project, id, opts)
	if err != nil {
		return errorOutcome(err)
	}
	var out Outcome
	switch n.Kind {
	case project.KindModel:
		out = e.model(ctx, n, c)
	case project.KindTest:
		out = e.test(ctx, n, c, opts)
	default:
		out = errorOutcome(fmt.Errorf("%s: cannot run a %s", id, n.Kind))
	}
	out.SQL = c.SQL
	return out
}

func (e *Executor) model(ctx context.Context, n *project.Node, c *compile.Node) Outcome {
	rel := n.Relation
	switch m := n.Config.EffectiveMaterialized(); m {
	case config.MaterializedView:
		if err := warehouse.BuildView(ctx, e.Adapter, rel, c.SQL); err != nil {
			return errorOutcome(err)
		}
		return Outcome{Status: StatusSuccess, Message: "created view " + rel.String(), Rows: -1}
	case config.MaterializedTable:
		rows, err := warehouse.BuildTable(ctx, e.Adapter, rel, c.SQL)
		if err != nil {
			return errorOutcome(err)
		}
		return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("built table %s (%d rows)", rel, rows), Rows: rows}
	case config.MaterializedIncremental:
		if !c.Incremental {
			rows, err := warehouse.BuildTable(ctx, e.Adapter, rel, c.SQL)
			if err != nil {
				return errorOutcome(err)
			}
			return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("built incremental %s in full (%d rows)", rel, rows), Rows: rows}
		}
		strategy := n.Config.EffectiveIncrementalStrategy()
		rows, err := warehouse.ApplyIncremental(ctx, e.Adapter, warehouse.IncrementalSpec{
			Relation: rel, Query: c.SQL, Strategy: strategy, UniqueKey: n.Config.UniqueKey,
		})
		if err != nil {
			return errorOutcome(err)
		}
		return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("%s %d rows into %s", pastTense(strategy), rows, rel), Rows: rows}
	default:
		return errorOutcome(fmt.Errorf("materialized %q is not supported yet", m))
	}
}

func pastTense(strategy string) string {
	if strategy == config.StrategyAppend {
		return "appended"
	}
	return "merged"
}

func (e *Executor) test(ctx context.Context, n *project.Node, c *compile.Node, opts compile.Options) Outcome {
	// A test of a model that was never built in this target cannot run;
	// say so rather than fail on "relation does not exist".
	for _, id := range n.Parents {
		parent := e.Project.Nodes[id]
		if parent.Kind != project.KindModel || parent.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
			continue // sources are checked by the query itself; ephemerals are inlined
		}
		rel := compile.RelationOf(parent, opts)
		_, exists, err := e.Adapter.RelationKind(ctx, rel)
		if err != nil {
			return errorOutcome(err)
		}
		if !exists {
			return Outcome{Status: StatusSkipped, Rows: -1,
				Message: fmt.Sprintf("not built: %s does not exist in this target (cdw run -s %s)", rel, parent.Name)}
		}
	}
	res, err := e.Adapter.Query(ctx, quality.CountSQL(c.SQL), 1)
	if err != nil {
		return errorOutcome(err)
	}
	count, err := asInt(res)
	if err != nil {
		return errorOutcome(err)
	}
	if count == 0 {
		return Outcome{Status: StatusPass, Message: "pass", Rows: 0}
	}
	limit := e.SampleRows
	if limit <= 0 {
		limit = 5
	}
	sample, err := e.Adapter.Query(ctx, quality.SampleSQL(c.SQL, limit), limit)
	if err != nil {
		return errorOutcome(err)
	}
	status := StatusFail
	if n.Test.Severity == quality.SeverityWarn {
		status = StatusWarn
	}
	return Outcome{Status: status, Message: fmt.Sprintf("%d failing row(s)", count), Rows: count,
		Detail: &TestDetail{Severity: n.Test.Severity, Sample: sample}}
}

func asInt(r *warehouse.Result) (int64, error) {
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return 0, fmt.Errorf("count query returned %d rows", len(r.Rows))
	}
	switch v := r.Rows[0][0].(type) {
	case int64:
		return v, nil
	case float64:
		return int64(v), nil
	case string:
		var n int64
		_, err := fmt.Sscan(v, &n)
		return n, err
	}
	return 0, fmt.Errorf("count query returned %T", r.Rows[0][0])
}

func errorOutcome(err error) Outcome {
	return Outcome{Status: StatusError, Message: err.Error(), Rows: -1, Err: err}
}
