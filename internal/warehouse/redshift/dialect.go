package redshift

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Dialect is Redshift's warehouse.Statements. It is pure (no I/O) and its
// output is pinned by testdata/redshift.txtar. It is immutable and safe for
// concurrent use.
//
// Redshift differs from PostgreSQL where it matters here:
//   - views are late-binding (WITH NO SCHEMA BINDING) unless BindViews:
//     they name relations, not OIDs, so a table swapped under them needs
//     nothing recreated; bound views found in the catalog are still
//     dropped and recreated around a swap;
//   - identifiers fold to lower case even when quoted and may be 127 bytes;
//   - string literals treat backslash as an escape, so it is doubled;
//   - MERGE cannot alias its target and needs both WHEN clauses;
//   - IS NOT DISTINCT FROM is not implemented, so null-safe key equality is
//     spelled out;
//   - TRUNCATE commits the open transaction, so no statement built here
//     truncates: tables are cleared with DELETE inside transactions.
type Dialect struct {
	// BindViews creates ordinary (schema-bound) views instead of
	// late-binding ones.
	BindViews bool
	// Table holds the physical attributes (dist/sort keys) CreateTableAs
	// gives every table it creates; see Adapter.WithTableOptions.
	Table TableOptions
}

var _ warehouse.Statements = Dialect{}

// Name is "redshift".
func (Dialect) Name() string { return "redshift" }

// QuoteIdent double-quotes name, doubling embedded double quotes.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteRelation renders "schema"."name", or "name" when Schema is empty.
func (d Dialect) QuoteRelation(r warehouse.Relation) string {
	if r.Schema == "" {
		return d.QuoteIdent(r.Name)
	}
	return d.QuoteIdent(r.Schema) + "." + d.QuoteIdent(r.Name)
}

// QuoteString renders a string literal: single quotes and backslashes are
// doubled (Redshift reads backslash escapes inside literals).
func (Dialect) QuoteString(s string) string {
	return "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(s) + "'"
}

// MaxIdentifierLength is 127 bytes on Redshift.
func (Dialect) MaxIdentifierLength() int { return 127 }

// SameIdentifier compares case-insensitively: Redshift folds identifiers,
// quoted or not, to lower case (unless enable_case_sensitive_identifier).
func (Dialect) SameIdentifier(a, b string) bool { return strings.EqualFold(a, b) }

// CreateSchema creates schema if it does not exist.
func (d Dialect) CreateSchema(schema string) string {
	return "create schema if not exists " + d.QuoteIdent(schema)
}

// SchemaExists looks schema up in pg_namespace, case-insensitively.
func (Dialect) SchemaExists(schema string) (string, []any) {
	return "select 1 from pg_namespace where lower(nspname) = lower($1)", []any{schema}
}

// CreateView creates the view rel as query, late-binding unless BindViews.
// A late-binding view's query must schema-qualify every relation (cdw's
// ref() and source() always do).
func (d Dialect) CreateView(rel warehouse.Relation, query string, orReplace bool) string {
	verb := "create view "
	if orReplace {
		verb = "create or replace view "
	}
	s := verb + d.QuoteRelation(rel) + " as\n" + trimQuery(query)
	if !d.BindViews {
		s += "\nwith no schema binding"
	}
	return s
}

// RecreateView recreates a captured (schema-bound) dependent view as it
// was: bound, with the definition pg_get_viewdef reported.
func (d Dialect) RecreateView(v warehouse.ViewDefinition) string {
	return "create view " + d.QuoteRelation(v.Relation) + " as\n" + trimQuery(v.Query)
}

// DropCaptured drops a captured view.
func (d Dialect) DropCaptured(v warehouse.ViewDefinition) string {
	return d.Drop(v.Relation, warehouse.KindView)
}

// CreateTableAs creates table rel as query with d.Table's attributes
// (none: Redshift's automatic distribution and sort keys).
func (d Dialect) CreateTableAs(rel warehouse.Relation, query string) string {
	return d.CreateTableAsWith(rel, query, d.Table)
}

// TableOptions are Redshift's physical table attributes, from a model's
// dist / sort / sort_type / backup config.
type TableOptions struct {
	// Dist is "auto", "even", "all", or a column name (DISTSTYLE KEY
	// DISTKEY(column)); "" leaves Redshift's default (AUTO).
	Dist string
	// Sort lists sort key columns ("" none).
	Sort []string
	// SortType is "compound" (default) or "interleaved".
	SortType string
	// NoBackup excludes the table from snapshots (BACKUP NO), for tables
	// that can be rebuilt.
	NoBackup bool
}

// Validate reports a problem with the options, or nil.
func (o TableOptions) Validate() error {
	switch strings.ToLower(o.SortType) {
	case "", "compound", "interleaved":
	default:
		return fmt.Errorf("redshift: sort_type %q must be compound or interleaved", o.SortType)
	}
	if o.SortType != "" && len(o.Sort) == 0 {
		return fmt.Errorf("redshift: sort_type %q without sort columns", o.SortType)
	}
	for _, c := range o.Sort {
		if c == "" {
			return fmt.Errorf("redshift: empty sort column")
		}
	}
	return nil
}

// CreateTableAsWith creates table rel as query with the given table
// attributes: `create table X backup no diststyle key distkey("c")
// compound sortkey("a", "b") as <query>`. Options are not validated here
// (see TableOptions.Validate).
func (d Dialect) CreateTableAsWith(rel warehouse.Relation, query string, o TableOptions) string {
	var b strings.Builder
	b.WriteString("create table " + d.QuoteRelation(rel))
	if o.NoBackup {
		b.WriteString("\nbackup no")
	}
	switch dist := strings.ToLower(o.Dist); dist {
	case "":
	case "auto", "even", "all":
		b.WriteString("\ndiststyle " + dist)
	default:
		b.WriteString("\ndiststyle key distkey(" + d.QuoteIdent(o.Dist) + ")")
	}
	if len(o.Sort) > 0 {
		kind := strings.ToLower(o.SortType)
		if kind == "" {
			kind = "compound"
		}
		b.WriteString("\n" + kind + " sortkey(" + d.identList("", o.Sort) + ")")
	}
	b.WriteString(" as\n" + trimQuery(query))
	return b.String()
}

// Drop drops rel if it exists (no CASCADE: dependants make it fail).
func (d Dialect) Drop(rel warehouse.Relation, kind warehouse.Kind) string {
	word := "table"
	if kind == warehouse.KindView {
		word = "view"
	}
	return "drop " + word + " if exists " + d.QuoteRelation(rel)
}

// Rename renames rel within its schema. Redshift renames views with ALTER
// TABLE too.
func (d Dialect) Rename(rel warehouse.Relation, _ warehouse.Kind, newName string) string {
	return "alter table " + d.QuoteRelation(rel) + " rename to " + d.QuoteIdent(newName)
}

// CountRows selects count(*) of rel (a bigint).
func (d Dialect) CountRows(rel warehouse.Relation) string {
	return "select count(*) from " + d.QuoteRelation(rel)
}

// InsertSelect appends columns of source to target.
func (d Dialect) InsertSelect(target warehouse.Relation, columns []string, source warehouse.Relation) string {
	cols := d.identList("", columns)
	return "insert into " + d.QuoteRelation(target) + " (" + cols + ")\nselect " + cols + "\nfrom " + d.QuoteRelation(source)
}

// Clear empties rel inside a transaction. It is DELETE, never TRUNCATE,
// which would commit the caller's transaction half-way.
func (d Dialect) Clear(rel warehouse.Relation) string {
	return "delete from " + d.QuoteRelation(rel)
}

const sourceAlias = "cdw_delta"

// Merge upserts source into target with one MERGE. Redshift's MERGE takes
// no target alias, so the target is referred to by its quoted name; keys
// match null-safely, spelled (t.k = s.k or (t.k is null and s.k is null)).
// Both WHEN clauses are required: when every column is a key, matched rows
// set their first key column to itself.
func (d Dialect) Merge(target, source warehouse.Relation, columns, key []string) ([]string, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("merge into %s: no unique key", target)
	}
	for _, k := range key {
		if !contains(columns, k) {
			return nil, fmt.Errorf("merge into %s: key column %q is not among the merged columns", target, k)
		}
	}
	var rest []string
	for _, c := range columns {
		if !contains(key, c) {
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		rest = key[:1]
	}
	t := d.QuoteRelation(target)
	match := make([]string, len(key))
	for i, k := range key {
		q := d.QuoteIdent(k)
		tc, sc := t+"."+q, sourceAlias+"."+q
		match[i] = "(" + tc + " = " + sc + " or (" + tc + " is null and " + sc + " is null))"
	}
	sets := make([]string, len(rest))
	for i, c := range rest {
		sets[i] = d.QuoteIdent(c) + " = " + sourceAlias + "." + d.QuoteIdent(c)
	}
	var b strings.Builder
	b.WriteString("merge into " + t)
	b.WriteString("\nusing " + d.QuoteRelation(source) + " as " + sourceAlias)
	b.WriteString("\non " + strings.Join(match, "\n    and "))
	b.WriteString("\nwhen matched then update set " + strings.Join(sets, ", "))
	b.WriteString("\nwhen not matched then insert (" + d.identList("", columns) + ")")
	b.WriteString("\n    values (" + d.identList(sourceAlias, columns) + ")")
	return []string{b.String()}, nil
}

// DuplicateKeys selects one duplicated key of rel with its count (GROUP
// BY puts NULLs together).
func (d Dialect) DuplicateKeys(rel warehouse.Relation, key []string) string {
	cols := d.identList("", key)
	return "select " + cols + ", count(*)\nfrom " + d.QuoteRelation(rel) +
		"\ngroup by " + cols + "\nhaving count(*) > 1\nlimit 1"
}

// dependentViews walks pg_depend through view rewrite rules, with
// Redshift's recursive-CTE rules (UNION ALL, a depth bound instead of
// cycle detection) and without to_regclass or regclass literals. Late-
// binding views record no dependency, so only bound views are listed.
const dependentViews = `with recursive dependants(oid, depth) as (
    select r.ev_class, 1
    from pg_depend d
    join pg_rewrite r on r.oid = d.objid
    where d.classid = (select oid from pg_class where relname = 'pg_rewrite' and relnamespace = (select oid from pg_namespace where nspname = 'pg_catalog'))
      and d.refobjid = (
        select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where lower(n.nspname) = lower($1) and lower(c.relname) = lower($2))
      and r.ev_class <> d.refobjid
  union all
    select r.ev_class, dependants.depth + 1
    from dependants
    join pg_depend d on d.refobjid = dependants.oid
    join pg_rewrite r on r.oid = d.objid
    where r.ev_class <> d.refobjid
      and dependants.depth < 64
)
select n.nspname::text, c.relname::text, false, ''::text, pg_get_viewdef(c.oid)::text
from (select oid, max(depth) as depth from dependants group by oid) v
join pg_class c on c.oid = v.oid
join pg_namespace n on n.oid = c.relnamespace
order by v.depth, n.nspname, c.relname`

// DependentViews returns the catalog walk for rel's schema-bound
// dependants.
func (Dialect) DependentViews(rel warehouse.Relation) (string, []any, bool) {
	schema := rel.Schema
	if schema == "" {
		schema = "public"
	}
	return dependentViews, []any{schema, rel.Name}, true
}

func (d Dialect) identList(qualifier string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = d.QuoteIdent(n)
		if qualifier != "" {
			parts[i] = qualifier + "." + parts[i]
		}
	}
	return strings.Join(parts, ", ")
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// trimQuery drops surrounding whitespace and trailing semicolons.
func trimQuery(q string) string {
	return strings.TrimRight(strings.TrimSpace(q), "; \t\r\n")
}
