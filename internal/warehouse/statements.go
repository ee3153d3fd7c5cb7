package warehouse

import (
	"fmt"
	"hash/fnv"
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
