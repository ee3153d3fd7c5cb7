// Package dialect generates the SQL of cdw's materializations for each
// warehouse engine. It is pure — no connection, no I/O, no driver import —
// so compile-time packages may use it too; its output is pinned by golden
// files in testdata (go test ./internal/warehouse/dialect -update rewrites
// them).
//
// PostgreSQL and DuckDB share almost all of their SQL; an SQL value carries
// the few differences (MERGE support, case folding of quoted identifiers,
// whether views are bound to a table's identity).
package dialect

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// SQL is a warehouse.Statements for one engine. The zero value is not
// usable; construct it with Postgres or DuckDB. It is immutable and safe
// for concurrent use.
type SQL struct {
	name string
	// merge: the engine has MERGE INTO (PostgreSQL 15+, DuckDB 1.4+).
	merge bool
	// foldCase: quoted identifiers still compare case-insensitively.
	foldCase bool
	// boundViews: views reference tables by identity (OID), so replacing a
	// table means recreating its dependent views.
	boundViews bool
}

var _ warehouse.Statements = SQL{}

// Postgres returns the dialect for a PostgreSQL server whose
// server_version_num is given (e.g. 150004). Below 150000 merges are
// generated as delete + insert.
func Postgres(serverVersionNum int) SQL {
	return SQL{name: "postgres", merge: serverVersionNum >= 150000, boundViews: true}
}

// DuckDB returns the dialect for a DuckDB library of the given version.
// Before 1.4 merges are generated as delete + insert.
func DuckDB(major, minor int) SQL {
	return SQL{name: "duckdb", merge: major > 1 || (major == 1 && minor >= 4), foldCase: true}
}

// Name is "postgres" or "duckdb".
func (d SQL) Name() string { return d.name }

// QuoteIdent double-quotes name, doubling embedded double quotes.
func (d SQL) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteRelation renders "schema"."name", or "name" when Schema is empty.
func (d SQL) QuoteRelation(r warehouse.Relation) string {
	if r.Schema == "" {
		return d.QuoteIdent(r.Name)
	}
	return d.QuoteIdent(r.Schema) + "." + d.QuoteIdent(r.Name)
}

// QuoteString renders a standard SQL string literal (embedded single quotes
// doubled; backslashes are literal, as with standard_conforming_strings).
func (d SQL) QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// MaxIdentifierLength is 63 on both engines: PostgreSQL truncates longer
// names, and DuckDB, which has no limit, uses the same temporary names so
// that both engines behave alike.
func (d SQL) MaxIdentifierLength() int { return 63 }

// SameIdentifier compares case-insensitively on DuckDB, exactly on
// PostgreSQL (where quoted identifiers are case-sensitive).
func (d SQL) SameIdentifier(a, b string) bool {
	if d.foldCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// CreateSchema creates schema if it does not exist.
func (d SQL) CreateSchema(schema string) string {
	return "create schema if not exists " + d.QuoteIdent(schema)
}

// SchemaExists queries the catalog for schema (case-insensitively on
// DuckDB, in the current database).
func (d SQL) SchemaExists(schema string) (string, []any) {
	if d.foldCase {
		return "select 1 from information_schema.schemata where catalog_name = current_database() and lower(schema_name) = lower($1)", []any{schema}
	}
	return "select 1 from pg_catalog.pg_namespace where nspname = $1", []any{schema}
}

// CreateView creates the view rel as query.
func (d SQL) CreateView(rel warehouse.Relation, query string, orReplace bool) string {
	verb := "create view "
	if orReplace {
		verb = "create or replace view "
	}
	return verb + d.QuoteRelation(rel) + " as\n" + trimQuery(query)
}

// RecreateView recreates a captured dependent view with its options.
func (d SQL) RecreateView(v warehouse.ViewDefinition) string {
	var b strings.Builder
	b.WriteString("create ")
	if v.Materialized {
		b.WriteString("materialized ")
	}
	b.WriteString("view ")
	b.WriteString(d.QuoteRelation(v.Relation))
	if v.Options != "" {
		b.WriteString(" with (" + v.Options + ")")
	}
	b.WriteString(" as\n")
	b.WriteString(trimQuery(v.Query))
	return b.String()
}

// DropCaptured drops a captured view, materialized or not.
func (d SQL) DropCaptured(v warehouse.ViewDefinition) string {
	if v.Materialized {
		return "drop materialized view if exists " + d.QuoteRelation(v.Relation)
	}
	return d.Drop(v.Relation, warehouse.KindView)
}

// CreateTableAs creates table rel as query.
func (d SQL) CreateTableAs(rel warehouse.Relation, query string) string {
	return "create table " + d.QuoteRelation(rel) + " as\n" + trimQuery(query)
}

// Drop drops rel if it exists (no CASCADE: dependants make it fail).
func (d SQL) Drop(rel warehouse.Relation, kind warehouse.Kind) string {
	return "drop " + kindWord(kind) + " if exists " + d.QuoteRelation(rel)
}

// Rename renames rel to newName within its schema.
func (d SQL) Rename(rel warehouse.Relation, kind warehouse.Kind, newName string) string {
	return "alter " + kindWord(kind) + " " + d.QuoteRelation(rel) + " rename to " + d.QuoteIdent(newName)
}

// CountRows selects count(*) of rel.
func (d SQL) CountRows(rel warehouse.Relation) string {
	return "select count(*) from " + d.QuoteRelation(rel)
}

// InsertSelect appends columns of source to target, naming every column on
// both sides.
func (d SQL) InsertSelect(target warehouse.Relation, columns []string, source warehouse.Relation) string {
	cols := d.identList("", columns)
	return "insert into " + d.QuoteRelation(target) + " (" + cols + ")\nselect " + cols + "\nfrom " + d.QuoteRelation(source)
}

const (
	targetAlias = "cdw_target"
	sourceAlias = "cdw_delta"
)

// Merge upserts source into target; see warehouse.Statements.
func (d SQL) Merge(target, source warehouse.Relation, columns, key []string) ([]string, error) {
	return d.mergeOn(target, source, columns, key, d.keyMatch(key), d.DeleteMatching)
}

// MergeNonNullKey is Merge matching keys with = (see
// warehouse.NonNullKeyStatements).
func (d SQL) MergeNonNullKey(target, source warehouse.Relation, columns, key []string) ([]string, error) {
	return d.mergeOn(target, source, columns, key, d.keyEqual(key), d.DeleteMatchingNonNullKey)
}

// NullKeyProbe selects one row of rel with a NULL key column, if any.
func (d SQL) NullKeyProbe(rel warehouse.Relation, key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = d.QuoteIdent(k) + " is null"
	}
	return "select 1 from " + d.QuoteRelation(rel) + "\nwhere " + strings.Join(parts, " or ") + "\nlimit 1"
}

func (d SQL) mergeOn(target, source warehouse.Relation, columns, key []string, match string, deleteMatching func(target, source warehouse.Relation, key []string) string) ([]string, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("merge into %s: no unique key", target)
	}
	var rest []string
	for _, c := range columns {
		if !d.contains(key, c) {
			rest = append(rest, c)
		}
	}
	for _, k := range key {
		if !d.contains(columns, k) {
			return nil, fmt.Errorf("merge into %s: key column %q is not among the merged columns", target, k)
		}
	}
	if !d.merge {
		return []string{deleteMatching(target, source, key), d.InsertSelect(target, columns, source)}, nil
	}
	var b strings.Builder
	b.WriteString("merge into " + d.QuoteRelation(target) + " as " + targetAlias)
	b.WriteString("\nusing " + d.QuoteRelation(source) + " as " + sourceAlias)
	b.WriteString("\non " + match)
	if len(rest) == 0 {
		b.WriteString("\nwhen matched then do nothing")
	} else {
		sets := make([]string, len(rest))
		for i, c := range rest {
			sets[i] = d.QuoteIdent(c) + " = " + sourceAlias + "." + d.QuoteIdent(c)
		}
		b.WriteString("\nwhen matched then update set " + strings.Join(sets, ", "))
	}
	b.WriteString("\nwhen not matched then insert (" + d.identList("", columns) + ")")
	b.WriteString("\n    values (" + d.identList(sourceAlias, columns) + ")")
	return []string{b.String()}, nil
}

// DuplicateKeys selects one duplicated key of rel with its count. GROUP BY
// puts NULLs together, which is the null-safe equality merges use.
func (d SQL) DuplicateKeys(rel warehouse.Relation, key []string) string {
	cols := d.identList("", key)
	return "select " + cols + ", count(*)\nfrom " + d.QuoteRelation(rel) +
		"\ngroup by " + cols + "\nhaving count(*) > 1\nlimit 1"
}

// dependentViewsPostgres walks pg_depend through view rewrite rules. Each
// view's depth is its longest path from the base relation, so ordering by
// depth recreates a view only after every view it reads.
const dependentViewsPostgres = `with recursive dependants(oid, depth) as (
    select r.ev_class, 1
    from pg_depend d
    join pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_rewrite'::regclass
      and d.refclassid = 'pg_class'::regclass
      and d.refobjid = to_regclass($1)
      and r.ev_class <> d.refobjid
  union
    select r.ev_class, dependants.depth + 1
    from dependants
    join pg_depend d on d.refobjid = dependants.oid
    join pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_rewrite'::regclass
      and d.refclassid = 'pg_class'::regclass
      and r.ev_class <> d.refobjid
)
select n.nspname::text, c.relname::text, c.relkind = 'm',
       coalesce(array_to_string(c.reloptions, ', '), ''),
       pg_get_viewdef(c.oid)
from (select oid, max(depth) as depth from dependants group by oid) v
join pg_class c on c.oid = v.oid
join pg_namespace n on n.oid = c.relnamespace
order by v.depth, n.nspname, c.relname`

// DependentViews returns the PostgreSQL catalog walk; DuckDB binds views by
// name when they are queried, so it has nothing to recreate.
func (d SQL) DependentViews(rel warehouse.Relation) (string, []any, bool) {
	if !d.boundViews {
		return "", nil, false
	}
	return dependentViewsPostgres, []any{d.QuoteRelation(rel)}, true
}

// dependantsLockKey is the two-part advisory-lock key LockDependants
// takes ("cdw" and 1). Two-part keys never collide with the one-part keys
// of run locks.
const dependantsLockKey = "6513783, 1"

// LockDependants takes a transaction-scoped advisory lock, so swaps that
// drop and recreate dependent views run one at a time (see
// warehouse.DependantsLocker). Dialects without bound views never call it.
func (d SQL) LockDependants() string {
	return "select pg_advisory_xact_lock(" + dependantsLockKey + ")"
}

// keyEqual matches keys with =, for sources without NULL keys.
func (d SQL) keyEqual(key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		q := d.QuoteIdent(k)
		parts[i] = targetAlias + "." + q + " = " + sourceAlias + "." + q
	}
	return strings.Join(parts, "\n    and ")
}

func (d SQL) keyMatch(key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		q := d.QuoteIdent(k)
		parts[i] = targetAlias + "." + q + " is not distinct from " + sourceAlias + "." + q
	}
	return strings.Join(parts, "\n    and ")
}

func (d SQL) identList(qualifier string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = d.QuoteIdent(n)
		if qualifier != "" {
			parts[i] = qualifier + "." + parts[i]
		}
	}
	return strings.Join(parts, ", ")
}

func (d SQL) contains(names []string, name string) bool {
	for _, n := range names {
		if d.SameIdentifier(n, name) {
			return true
		}
	}
	return false
}

func kindWord(k warehouse.Kind) string {
	if k == warehouse.KindView {
		return "view"
	}
	return "table"
}

// trimQuery drops surrounding whitespace and trailing semicolons, so a
// model's query can be embedded in a larger statement.
func trimQuery(q string) string {
	return strings.TrimRight(strings.TrimSpace(q), "; \t\r\n")
}
