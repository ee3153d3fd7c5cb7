package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/seed"
	"github.com/cdw-dev/cdw/internal/snapshot"
	"github.com/cdw-dev/cdw/internal/unittest"
)

// StepAny implements run.Step for every kind of node: seeds, snapshots,
// unit tests and data tests (with their limit, thresholds, store_failures
// and new_rows_only) here, models through Step. Safe for concurrent use.
func (e *Executor) StepAny(ctx context.Context, id string) Outcome {
	n, ok := e.Project.Nodes[id]
	if !ok {
		return errorOutcome(fmt.Errorf("no node %s", id))
	}
	switch n.Kind {
	case project.KindSeed:
		return e.seed(ctx, n)
	case project.KindSnapshot:
		return e.snapshot(ctx, n)
	case project.KindUnitTest:
		return e.unitTest(ctx, n)
	case project.KindTest:
		return e.dataTest(ctx, n)
	case project.KindExtractor:
		if e.Extract == nil {
			return errorOutcome(fmt.Errorf("extractor %s: extractors run from the cdw command line only", n.Name))
		}
		return e.Extract(ctx, n.Name)
	}
	return e.Step(ctx, id)
}

// seed loads a seed's CSV file into its table.
func (e *Executor) seed(ctx context.Context, n *project.Node) Outcome {
	s := n.Seed
	rows, err := seed.Load(ctx, e.Adapter, seed.Spec{Relation: n.Relation, Columns: s.Columns, Delimiter: s.Delimiter, Path: n.Path, Open: s.Open})
	if err != nil {
		return errorOutcome(err)
	}
	return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("loaded %d rows into %s", rows, n.Relation), Rows: rows}
}

// snapshot records a new version of every changed row of the snapshotted
// relation, at the run's start time.
func (e *Executor) snapshot(ctx context.Context, n *project.Node) Outcome {
	sql, err := compile.Inline(e.Project, n.Snapshot.Select, e.compileOptions(ctx))
	if err != nil {
		return errorOutcome(err)
	}
	c := n.Snapshot.Config
	res, err := snapshot.Apply(ctx, e.Adapter, snapshot.Spec{
		Relation: n.Relation, Query: sql, Strategy: c.Strategy, UniqueKey: c.UniqueKey, UpdatedAt: c.UpdatedAt,
		CheckCols: c.CheckCols, CheckAll: c.CheckAll, HardDeletes: c.HardDeletes, Now: e.Compile.RunStartedAt,
	})
	if err != nil {
		return withSQL(errorOutcome(err), sql)
	}
	return Outcome{Status: StatusSuccess, Message: fmt.Sprintf("%s: %s", n.Relation, res), Rows: res.Rows, SQL: sql}
}

// unitTest runs a unit test on an embedded DuckDB; the target is asked
// only for the column types of the real inputs.
func (e *Executor) unitTest(ctx context.Context, n *project.Node) Outcome {
	res, err := unittest.Run(ctx, e.Project, n.ID, unittest.Options{
		Columns: e.Adapter.Columns, RunStartedAt: e.Compile.RunStartedAt, InvocationID: e.Compile.InvocationID,
	})
	if err != nil {
		return withSQL(errorOutcome(err), res.SQL)
	}
	if res.Passed {
		return Outcome{Status: StatusPass, Message: "pass", Rows: 0, SQL: res.SQL}
	}
	return Outcome{Status: StatusFail, Message: res.Message(), Rows: res.Missing + res.Unexpected, SQL: res.SQL,
		Detail: &TestDetail{Severity: quality.SeverityError, Sample: res.Diff}}
}
