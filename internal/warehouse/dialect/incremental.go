package dialect

import (
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

var _ warehouse.IncrementalStatements = SQL{}

// DeleteMatching deletes target rows whose key matches a source row,
// null-safely.
func (d SQL) DeleteMatching(target, source warehouse.Relation, key []string) string {
	return "delete from " + d.QuoteRelation(target) + " as " + targetAlias +
		"\nwhere exists (\n    select 1 from " + d.QuoteRelation(source) + " as " + sourceAlias +
		"\n    where " + d.keyMatch(key) + "\n)"
}

// DeleteMatchingNonNullKey is DeleteMatching with keys matched by = (see
// warehouse.NonNullKeyStatements).
func (d SQL) DeleteMatchingNonNullKey(target, source warehouse.Relation, key []string) string {
	return "delete from " + d.QuoteRelation(target) + " as " + targetAlias +
		"\nwhere exists (\n    select 1 from " + d.QuoteRelation(source) + " as " + sourceAlias +
		"\n    where " + d.keyEqual(key) + "\n)"
}

// DeleteWhere deletes the rows of rel for which predicate is true.
func (d SQL) DeleteWhere(rel warehouse.Relation, predicate string) string {
	return "delete from " + d.QuoteRelation(rel) + "\nwhere " + predicate
}

// AddColumn adds a nullable column.
func (d SQL) AddColumn(rel warehouse.Relation, col warehouse.Column) string {
	return "alter table " + d.QuoteRelation(rel) + " add column " + d.QuoteIdent(col.Name) + " " + col.Type
}

// DropColumn drops a column (no CASCADE: a view using it makes it fail).
func (d SQL) DropColumn(rel warehouse.Relation, name string) string {
	return "alter table " + d.QuoteRelation(rel) + " drop column " + d.QuoteIdent(name)
}

// AlterColumnType changes a column's type, casting existing values.
func (d SQL) AlterColumnType(rel warehouse.Relation, name, typ string) string {
	q := d.QuoteIdent(name)
	return "alter table " + d.QuoteRelation(rel) + " alter column " + q + " type " + typ + " using cast(" + q + " as " + typ + ")"
}

// DedupeQuery keeps the first row per key in orderBy, numbering rows in
// RowNumberColumn. PARTITION BY groups NULLs together, the same null-safe
// equality the merges use.
func (d SQL) DedupeQuery(query string, key []string, orderBy string) string {
	return "select * from (\n    select cdw_rows.*, row_number() over (partition by " + d.identList("cdw_rows", key) +
		" order by " + strings.TrimSpace(orderBy) + ") as " + d.QuoteIdent(warehouse.RowNumberColumn) +
		"\n    from (\n" + trimQuery(query) + "\n    ) as cdw_rows\n) as cdw_ranked\nwhere " +
		d.QuoteIdent(warehouse.RowNumberColumn) + " = 1"
}

// WindowQuery keeps the rows of query inside the window.
func (d SQL) WindowQuery(query string, w warehouse.Window) string {
	return "select * from (\n" + trimQuery(query) + "\n) as cdw_batch\nwhere " + warehouse.WindowPredicate(d, w)
}

// ProspectQuery selects the table as it would be after the delta: the
// target rows the delta does not replace, then the delta's rows.
func (d SQL) ProspectQuery(p warehouse.Prospect) string {
	live := make([]string, len(p.Columns))
	delta := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		q := d.QuoteIdent(c.Name)
		null := "cast(null as " + c.Type + ") as " + q
		switch {
		case !c.InTarget:
			live[i] = null
		case c.Retype:
			live[i] = "cast(" + targetAlias + "." + q + " as " + c.Type + ") as " + q
		default:
			live[i] = targetAlias + "." + q
		}
		if c.InDelta {
			delta[i] = q
		} else {
			delta[i] = null
		}
	}
	var b strings.Builder
	b.WriteString("select " + strings.Join(live, ", "))
	b.WriteString("\nfrom " + d.QuoteRelation(p.Target) + " as " + targetAlias)
	var conds []string
	if len(p.Key) > 0 {
		conds = append(conds, "not exists (\n    select 1 from "+d.QuoteRelation(p.Delta)+" as "+sourceAlias+
			"\n    where "+d.keyMatch(p.Key)+"\n)")
	}
	if p.Replace != "" {
		conds = append(conds, "("+p.Replace+") is not true")
	}
	if len(conds) > 0 {
		b.WriteString("\nwhere " + strings.Join(conds, "\n  and "))
	}
	b.WriteString("\nunion all\nselect " + strings.Join(delta, ", "))
	b.WriteString("\nfrom " + d.QuoteRelation(p.Delta))
	return b.String()
}
