package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

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

