package project

import (
	"github.com/cdw-dev/cdw/internal/dag"
)

// dagNodes converts the project's nodes for dag.Build.
func (p *Project) dagNodes() []dag.Node {
	out := make([]dag.Node, 0, len(p.Nodes))
	for _, n := range p.Nodes {
		cfg := map[string]any{}
		switch n.Kind {
		case KindModel:
			cfg["materialized"] = n.Config.EffectiveMaterialized()
			if n.Config.Schema != "" {
				cfg["schema"] = n.Config.Schema
			}
			if len(n.Config.UniqueKey) > 0 {
				cfg["unique_key"] = toAny(n.Config.UniqueKey)
			}
			if n.Config.EffectiveMaterialized() == "incremental" {
				cfg["incremental_strategy"] = n.Config.EffectiveIncrementalStrategy()
			}
		case KindTest:
			cfg["severity"] = string(n.Test.Severity)
			if n.Test.Generic != "" {
				cfg["test_type"] = "generic"
			} else {
				cfg["test_type"] = "singular"
			}
			if n.Test.StoreFailures {
				cfg["store_failures"] = true
			}
			if n.Test.NewRowsOnly {
				cfg["new_rows_only"] = true
			}
		case KindSeed, KindSnapshot:
			cfg["materialized"] = n.Kind
			if n.Config.Schema != "" {
				cfg["schema"] = n.Config.Schema
			}
			if n.Snapshot != nil {
				cfg["strategy"] = n.Snapshot.Config.Strategy
				cfg["unique_key"] = toAny(n.Snapshot.Config.UniqueKey)
				cfg["hard_deletes"] = n.Snapshot.Config.HardDeletes
			}
		case KindUnitTest:
			cfg["test_type"] = "unit"
		}
		rt := n.Kind
		if n.Kind == KindUnitTest {
			rt = dag.ResourceTest // selected with its model, and by test_type:unit
		}
		out = append(out, dag.Node{
			ID: n.ID, Name: n.Name, ResourceType: rt, Path: n.Path,
			Tags: n.Tags, Config: cfg, Parents: n.Parents,
		})
	}
	return out
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
