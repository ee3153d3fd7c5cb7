package warehouse

import (
	"fmt"
	"hash/fnv"
	"time"
	"unicode/utf8"
)

// Statements is the statement builder that BuildView, BuildTable and
// ApplyIncremental need from an adapter's Dialect. Like Dialect it is pure:
// every method returns SQL text (or a query with its arguments) and does no
// I/O. Identifiers are always quoted, so relation and column names may hold
// any characters. Queries given as arguments are embedded verbatim.
type Statements interface {
	Dialect
	// MaxIdentifierLength is the longest identifier, in bytes, the engine
	// keeps without truncating (63 on PostgreSQL). TempName stays within it.
	MaxIdentifierLength() int
	// SameIdentifier reports whether two unquoted-equal-looking names denote
	// the same column (DuckDB folds case even for quoted identifiers;
	// PostgreSQL does not).
	SameIdentifier(a, b string) bool
	// CreateSchema creates schema if it does not exist.
	CreateSchema(schema string) string
	// SchemaExists returns a query that yields a row if and only if schema
	// exists.
	SchemaExists(schema string) (query string, args []any)
	// CreateView creates view rel as query; orReplace adds OR REPLACE.
	CreateView(rel Relation, query string, orReplace bool) string
	// RecreateView recreates a dependent view captured by DependentViews.
	RecreateView(v ViewDefinition) string
	// DropCaptured drops a view captured by DependentViews (materialized
	// or not), without CASCADE.
	DropCaptured(v ViewDefinition) string
	// CreateTableAs creates table rel as query.
	CreateTableAs(rel Relation, query string) string
	// Drop drops rel of the given kind if it exists, without CASCADE.
	Drop(rel Relation, kind Kind) string
	// Rename renames rel (same schema) to newName.
	Rename(rel Relation, kind Kind, newName string) string
	// CountRows selects count(*) of rel as one bigint.
	CountRows(rel Relation) string
	// InsertSelect appends the given columns of source to target.
	InsertSelect(target Relation, columns []string, source Relation) string
	// Merge upserts source into target on key (compared null-safely with
	// IS NOT DISTINCT FROM): matched rows get the non-key columns updated,
	// unmatched rows are inserted. It returns one MERGE statement where the
	// engine supports it, otherwise a delete and an insert; they must run in
	// one transaction. key must be non-empty and a subset of columns.
	Merge(target, source Relation, columns, key []string) ([]string, error)
	// DuplicateKeys selects at most one key of rel that occurs more than
	// once (NULLs compare equal): the key columns followed by the count.
	DuplicateKeys(rel Relation, key []string) string
	// DependentViews returns a query listing every view that depends on
	// rel, directly or through other views, in an order in which they can
	// be recreated, as rows (schema text, name text, materialized bool,
	// options text, definition text). ok is false on engines whose views
	// bind to names at query time (DuckDB), where nothing needs recreating.
	DependentViews(rel Relation) (query string, args []any, ok bool)
}

// DependantsLocker is optional on a Statements whose DependentViews is
// ok. LockDependants returns a statement that, run first in a transaction
// that drops and recreates the views depending on a relation, waits for
// and then holds (until that transaction ends) the database's one lock on
// such transactions. Two concurrent swaps of tables that share a dependent
// view then neither read a view the other has just dropped nor deadlock
// over it.
type DependantsLocker interface {
	LockDependants() string
}

// NonNullKeyStatements is optional on Statements: Merge and
// DeleteMatching for a source whose key columns hold no NULL, matching
// keys with plain equality, which engines can hash-join (PostgreSQL
// cannot hash IS NOT DISTINCT FROM, so a merge of a few thousand rows
// into a large table is a nested loop over both). With no NULL key in the
// source they match exactly the rows the null-safe statements match.
type NonNullKeyStatements interface {
	MergeNonNullKey(target, source Relation, columns, key []string) ([]string, error)
	DeleteMatchingNonNullKey(target, source Relation, key []string) string
	// NullKeyProbe selects a row of rel if any of its key columns is NULL
	// in any row, and none otherwise.
	NullKeyProbe(rel Relation, key []string) string
}

// IncrementalStatements extends Statements with what the delete+insert and
// microbatch strategies, on_schema_change, dedupe_by and write-audit-publish
// need. It is optional: BuildTableWith and ApplyIncremental return
// *Unsupported only when a spec uses one of those features on a dialect
// without it. Like Statements it is pure.
type IncrementalStatements interface {
	Statements
	// DeleteMatching deletes the rows of target whose key matches a row of
	// source, comparing null-safely (NULL matches NULL).
	DeleteMatching(target, source Relation, key []string) string
	// DeleteWhere deletes the rows of rel for which predicate is true.
	DeleteWhere(rel Relation, predicate string) string
	// AddColumn adds col (its Type as the engine reported it) to rel.
	AddColumn(rel Relation, col Column) string
	// DropColumn drops the column name from rel, without CASCADE.
	DropColumn(rel Relation, name string) string
	// AlterColumnType changes the type of rel's column name to typ,
	// converting existing values with a cast.
	AlterColumnType(rel Relation, name, typ string) string
	// DedupeQuery wraps query so that of the rows sharing a key (NULLs
	// equal) only the first in orderBy (verbatim SQL) remains. The result
	// has one extra column, RowNumberColumn, to drop after staging.
	DedupeQuery(query string, key []string, orderBy string) string
	// WindowQuery wraps query so that only rows whose column falls in
	// [w.Start, w.End) remain (rows where it is NULL are dropped).
	WindowQuery(query string, w Window) string
	// ProspectQuery selects what p.Target would hold once p.Delta is
	// applied, without changing anything: the query write-audit-publish
	// tests run against.
	ProspectQuery(p Prospect) string
}

// ColumnRetyper is implemented by incremental dialects whose engine cannot
// change a column's type in one statement (Redshift): sync_all_columns
// runs RetypeColumn's statements, in order, instead of AlterColumnType.
type ColumnRetyper interface {
	RetypeColumn(rel Relation, name, typ string) []string
}

// RowNumberColumn is the helper column DedupeQuery adds.
const RowNumberColumn = "__cdw_row_number"

// Window is a half-open time range [Start, End) over Column, compared as
// UTC timestamps.
type Window struct {
	Column     string
	Start, End time.Time
}

// Prospect describes the result of applying a delta to a table, for
// IncrementalStatements.ProspectQuery.
type Prospect struct {
	Target, Delta Relation
	// Columns are the table's columns after the run (after on_schema_change).
	Columns []ProspectColumn
	// Key, when set, drops target rows whose key matches a delta row
	// null-safely (merge, delete+insert).
	Key []string
	// Replace, when set, drops target rows for which it is true (the
	// window a microbatch replaces); rows where it is NULL stay.
	Replace string
}

// ProspectColumn is one column of a Prospect. A side that lacks the
// column contributes NULL of Type; a target column whose type changes is
// cast to Type.
type ProspectColumn struct {
	Name, Type        string
	InTarget, InDelta bool
	// Retype casts the target's values to Type (sync_all_columns).
	Retype bool
}

// ViewDefinition is a view captured before its base relation is replaced.
type ViewDefinition struct {
	Relation     Relation
	Materialized bool
	// Options is the engine's WITH (...) option list without parentheses,
	// or empty.
	Options string
	// Query is the view's SELECT as the engine reports it.
	Query string
}

// TempName returns name with suffix appended, shortened (by cutting name
// and adding a hash of the full name) so the result is at most max bytes
// and still valid UTF-8. Different names give different results with high
// probability; the same inputs always give the same result. max <= 0 means
// no limit.
func TempName(name, suffix string, max int) string {
	if max <= 0 || len(name)+len(suffix) <= max {
		return name + suffix
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	tag := fmt.Sprintf("_%08x", h.Sum32())
	keep := max - len(suffix) - len(tag)
	if keep < 0 {
		keep = 0
	}
	cut := name[:keep]
	for len(cut) > 0 && !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut + tag + suffix
}

// WindowPredicate renders the SQL condition "w.Column is in [w.Start,
// w.End)" with UTC timestamp literals, for any dialect: true inside the
// window, false outside, NULL where the column is NULL. A date column
// compares as midnight of that day.
func WindowPredicate(d Dialect, w Window) string {
	c := d.QuoteIdent(w.Column)
	return c + " >= " + TimestampLiteral(d, w.Start) + " and " + c + " < " + TimestampLiteral(d, w.End)
}

// TimestampLiteral renders t, converted to UTC, as an SQL timestamp
// literal (microsecond precision; trailing zero fractions omitted).
func TimestampLiteral(d Dialect, t time.Time) string {
	return "timestamp " + d.QuoteString(t.UTC().Format("2006-01-02 15:04:05.999999"))
}
