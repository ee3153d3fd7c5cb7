package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
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
	// Extract runs the named extractor for an extractor node; nil makes
	// such a node an error. The CLI supplies it (it owns the extractors).
	Extract func(ctx context.Context, name string) Outcome
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
	opts := e.compileOptions(ctx)
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
	if out.SQL == "" { // a step that ran other SQL (a microbatch's batches) said so
		out.SQL = c.SQL
	}
	return out
}

func errorOutcome(err error) Outcome {
	return Outcome{Status: StatusError, Message: err.Error(), Rows: -1, Err: err}
}
