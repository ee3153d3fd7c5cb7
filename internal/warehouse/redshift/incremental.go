package redshift

import (
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// Dialect implements what delete+insert, microbatch, on_schema_change,
// dedupe_by and write-audit-publish need, in SQL Redshift accepts: DELETE
// ... USING without a target alias, keys matched null-safely without IS
// NOT DISTINCT FROM, and column retyping by copy (Redshift only widens
// VARCHARs in place, and not inside a transaction).
var (
	_ warehouse.IncrementalStatements = Dialect{}
	_ warehouse.ColumnRetyper         = Dialect{}
)

// matchKeys compares key columns of two qualifiers null-safely.
func (d Dialect) matchKeys(left, right string, key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		q := d.QuoteIdent(k)
		l, r := left+"."+q, right+"."+q
		parts[i] = "(" + l + " = " + r + " or (" + l + " is null and " + r + " is null))"
	}
	return strings.Join(parts, "\n    and ")
}

// DeleteMatching deletes target's rows whose key matches a source row.
func (d Dialect) DeleteMatching(target, source warehouse.Relation, key []string) string {
	t := d.QuoteRelation(target)
	return "delete from " + t + "\nusing " + d.QuoteRelation(source) + " as " + sourceAlias +
		"\nwhere " + d.matchKeys(t, sourceAlias, key)
}

// shared writes the statements Redshift accepts exactly as PostgreSQL
// spells them (the same identifier quoting; no string literal with a
// backslash is involved).
var shared = dialect.Postgres(0)

// DeleteWhere deletes the rows of rel for which predicate is true.
func (Dialect) DeleteWhere(rel warehouse.Relation, predicate string) string {
	return shared.DeleteWhere(rel, predicate)
}

// AddColumn adds a nullable column.
func (Dialect) AddColumn(rel warehouse.Relation, col warehouse.Column) string {
	return shared.AddColumn(rel, col)
}

// DropColumn drops a column (no CASCADE).
func (Dialect) DropColumn(rel warehouse.Relation, name string) string {
	return shared.DropColumn(rel, name)
}

// AlterColumnType is Redshift's in-place change, which only widens a
// VARCHAR and only outside a transaction; the engine uses
// RetypeColumn instead.
func (d Dialect) AlterColumnType(rel warehouse.Relation, name, typ string) string {
	return "alter table " + d.QuoteRelation(rel) + " alter column " + d.QuoteIdent(name) + " type " + typ
}

// RetypeColumn changes a column's type by copying it into a new column,
// dropping the old one and renaming the new one into its place; the column
// moves to the end of the table.
func (d Dialect) RetypeColumn(rel warehouse.Relation, name, typ string) []string {
	t, q := d.QuoteRelation(rel), d.QuoteIdent(name)
	tmp := d.QuoteIdent(name + "__cdw_retype")
	return []string{
		"alter table " + t + " add column " + tmp + " " + typ,
		"update " + t + " set " + tmp + " = cast(" + q + " as " + typ + ")",
		"alter table " + t + " drop column " + q,
		"alter table " + t + " rename column " + tmp + " to " + q,
	}
}

// DedupeQuery keeps the first row per key in orderBy; PARTITION BY puts
// NULL keys together, as the merges compare them.
func (Dialect) DedupeQuery(query string, key []string, orderBy string) string {
	return shared.DedupeQuery(query, key, orderBy)
}

// WindowQuery keeps the rows of query inside the window.
func (Dialect) WindowQuery(query string, w warehouse.Window) string {
	return shared.WindowQuery(query, w)
}

// ProspectQuery selects the table as it would be after the delta: the live
// rows the delta does not replace, then the delta's rows.
func (d Dialect) ProspectQuery(p warehouse.Prospect) string {
	const live = "cdw_live"
	liveCols := make([]string, len(p.Columns))
	deltaCols := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		q := d.QuoteIdent(c.Name)
		null := "cast(null as " + c.Type + ") as " + q
		switch {
		case !c.InTarget:
			liveCols[i] = null
		case c.Retype:
			liveCols[i] = "cast(" + live + "." + q + " as " + c.Type + ") as " + q
		default:
			liveCols[i] = live + "." + q
		}
		deltaCols[i] = null
		if c.InDelta {
			deltaCols[i] = q
		}
	}
	var b strings.Builder
	b.WriteString("select " + strings.Join(liveCols, ", "))
	b.WriteString("\nfrom " + d.QuoteRelation(p.Target) + " as " + live)
	var conds []string
	if len(p.Key) > 0 {
		conds = append(conds, "not exists (\n    select 1 from "+d.QuoteRelation(p.Delta)+" as "+sourceAlias+
			"\n    where "+d.matchKeys(live, sourceAlias, p.Key)+"\n)")
	}
	if p.Replace != "" {
		conds = append(conds, "not coalesce(("+p.Replace+"), false)")
	}
	if len(conds) > 0 {
		b.WriteString("\nwhere " + strings.Join(conds, "\n  and "))
	}
	b.WriteString("\nunion all\nselect " + strings.Join(deltaCols, ", "))
	b.WriteString("\nfrom " + d.QuoteRelation(p.Delta))
	return b.String()
}
