package artifacts

import (
	"encoding/json"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
)

// seedNode fills a seed's manifest entry: its column types and the
// file's checksum (so state:modified sees a changed CSV).
func seedNode(out *Node, n *project.Node) {
	out.Config["materialized"] = "seed"
	out.Config["enabled"] = true
	out.Config["tags"] = nonNil(n.Tags)
	if n.Config.Schema != "" {
		out.Config["schema"] = n.Config.Schema
	}
	types := map[string]any{}
	for _, c := range n.Seed.Columns {
		if c.Declared {
			types[c.Name] = c.Type
		}
	}
	out.Config["column_types"] = types
	if n.Seed.Delimiter != ',' {
		out.Config["delimiter"] = string(n.Seed.Delimiter)
	}
	for _, c := range n.Seed.Columns {
		if _, ok := out.Columns[c.Name]; !ok {
			out.Columns[c.Name] = Column{Name: c.Name, DataType: c.Type}
		}
	}
	out.Checksum = Checksum{Name: "sha256", Checksum: n.Seed.Checksum}
}

// snapshotNode fills a snapshot's manifest entry.
func snapshotNode(out *Node, n *project.Node) {
	c := n.Snapshot.Config
	out.Config["materialized"] = "snapshot"
	out.Config["enabled"] = true
	out.Config["tags"] = nonNil(n.Tags)
	if c.Schema != "" {
		out.Config["schema"] = c.Schema
	}
	out.Config["strategy"] = c.Strategy
	out.Config["unique_key"] = c.UniqueKey
	out.Config["hard_deletes"] = c.HardDeletes
	if c.UpdatedAt != "" {
		out.Config["updated_at"] = c.UpdatedAt
	}
	switch {
	case c.CheckAll:
		out.Config["check_cols"] = "all"
	case len(c.CheckCols) > 0:
		out.Config["check_cols"] = c.CheckCols
	}
	out.Language, out.RawCode = "sql", n.Snapshot.Select
	cfg, _ := json.Marshal(out.Config)
	out.Checksum = sum(n.Snapshot.Select, string(cfg))
}

// unitTestNode fills a unit test's manifest entry (dbt's unit_tests).
func unitTestNode(out *Node, n *project.Node) {
	out.Config["tags"] = nonNil(n.Tags)
	out.Config["enabled"] = true
	def, _ := json.Marshal(n.UnitTest)
	out.Checksum = sum(string(def))
}

// testConfig records a data test's limit, thresholds, store_failures and
// new_rows_only where set.
func testConfig(out *Node, t *project.Test) {
	if t.Limit > 0 {
		out.Config["limit"] = t.Limit
	}
	if t.WarnIf.Op != "" {
		out.Config["warn_if"] = t.WarnIf.String()
	}
	if t.ErrorIf.Op != "" {
		out.Config["error_if"] = t.ErrorIf.String()
	}
	if t.StoreFailures {
		out.Config["store_failures"] = true
	}
	if t.NewRowsOnly {
		out.Config["new_rows_only"] = true
	}
}

func freshnessConfig(f config.FreshnessDecl) map[string]any {
	out := map[string]any{}
	if f.WarnAfter != nil {
		out["warn_after"] = map[string]any{"count": f.WarnAfter.Count, "period": f.WarnAfter.Period}
	}
	if f.ErrorAfter != nil {
		out["error_after"] = map[string]any{"count": f.ErrorAfter.Count, "period": f.ErrorAfter.Period}
	}
	if f.Filter != "" {
		out["filter"] = f.Filter
	}
	return out
}
