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

