package warehouse

import (
	"fmt"
	"strings"
	"time"
)

// SuffixAudit names the view write-audit-publish tests run against for an
// incremental model: the table as it would be after the run.
const SuffixAudit = "__cdw_audit"

// dropTimeout bounds the clean-up of temporary relations after a failure.
const dropTimeout = 30 * time.Second

// columnChange is how a delta's columns differ from its table's, by name
// (as the dialect compares identifiers) and type (as the engine reports it).
type columnChange struct {
	shared  []Column // in both, with the table's spelling and type
	added   []Column // only in the delta, with the delta's type
	removed []Column // only in the table
	retyped []retype // in both, with different types
}

type retype struct {
	name     string // the table's spelling
	from, to string
}

func diffColumns(s Statements, table, delta []Column) columnChange {
	var c columnChange
	for _, tc := range table {
		name, ok := spelledColumn(s, delta, tc.Name)
		if !ok {
			c.removed = append(c.removed, tc)
			continue
		}
		c.shared = append(c.shared, tc)
		for _, dc := range delta {
			if dc.Name == name && normalType(dc.Type) != normalType(tc.Type) {
				c.retyped = append(c.retyped, retype{name: tc.Name, from: tc.Type, to: dc.Type})
			}
		}
	}
	for _, dc := range delta {
		if !hasColumn(s, table, dc.Name) {
			c.added = append(c.added, dc)
		}
	}
	return c
}

func normalType(t string) string { return strings.Join(strings.Fields(strings.ToLower(t)), " ") }

func (c columnChange) empty() bool {
	return len(c.added) == 0 && len(c.removed) == 0 && len(c.retyped) == 0
}

// String lists the differences: "added x (bigint); removed y (text);
// z: integer → bigint".
func (c columnChange) String() string {
	var parts []string
	for _, col := range c.added {
		parts = append(parts, fmt.Sprintf("added %s (%s)", col.Name, col.Type))
	}
	for _, col := range c.removed {
		parts = append(parts, fmt.Sprintf("removed %s (%s)", col.Name, col.Type))
	}
	for _, r := range c.retyped {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", r.name, r.from, r.to))
	}
	return strings.Join(parts, "; ")
}

// schemaPlan is what one on_schema_change mode does about a columnChange.
type schemaPlan struct {
	change columnChange
	mode   string
}

func (c columnChange) plan(mode string) schemaPlan { return schemaPlan{change: c, mode: mode} }

func (p schemaPlan) adds() bool { return p.mode == SchemaAppend || p.mode == SchemaSyncAll }

func (p schemaPlan) syncs() bool { return p.mode == SchemaSyncAll }

// written are the columns the delta writes into the table.
func (p schemaPlan) written() []string {
	var out []string
	for _, c := range p.change.shared {
		out = append(out, c.Name)
	}
	if p.adds() {
		for _, c := range p.change.added {
			out = append(out, c.Name)
		}
	}
	return out
}

// statements alter the table before the delta is written.
func (p schemaPlan) statements(s Statements, rel Relation) []string {
	if !p.adds() || p.change.empty() {
		return nil
	}
	is := s.(IncrementalStatements) // ApplyIncremental checked
	var out []string
	for _, c := range p.change.added {
		out = append(out, is.AddColumn(rel, c))
	}
	if p.syncs() {
		for _, c := range p.change.removed {
			out = append(out, is.DropColumn(rel, c.Name))
		}
		for _, r := range p.change.retyped {
			if rt, ok := s.(ColumnRetyper); ok {
				out = append(out, rt.RetypeColumn(rel, r.name, r.to)...)
			} else {
				out = append(out, is.AlterColumnType(rel, r.name, r.to))
			}
		}
	}
	return out
}

// rewritesColumns reports whether the statements drop or retype columns,
// which views depending on the table may prevent.
func (p schemaPlan) rewritesColumns() bool {
	return p.syncs() && (len(p.change.removed) > 0 || len(p.change.retyped) > 0)
}

// prospect lists the table's columns after the run for ProspectQuery.
func (p schemaPlan) prospect() []ProspectColumn {
	var out []ProspectColumn
	for _, c := range p.change.shared {
		pc := ProspectColumn{Name: c.Name, Type: c.Type, InTarget: true, InDelta: true}
		if p.syncs() {
			for _, r := range p.change.retyped {
				if r.name == c.Name {
					pc.Type, pc.Retype = r.to, true
				}
			}
		}
		out = append(out, pc)
	}
	if !p.syncs() {
		for _, c := range p.change.removed {
			out = append(out, ProspectColumn{Name: c.Name, Type: c.Type, InTarget: true})
		}
	}
	if p.adds() {
		for _, c := range p.change.added {
			out = append(out, ProspectColumn{Name: c.Name, Type: c.Type, InDelta: true})
		}
	}
	return out
}
