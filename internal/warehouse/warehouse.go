// Package warehouse defines the boundary between cdw's engine and a SQL
// warehouse: a Dialect that only generates SQL (pure, golden-tested) and an
// Adapter that performs I/O. Engines live in sub-packages (duckdb, postgres)
// and never import each other; every adapter passes the shared conformance
// suite in warehousetest.
package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Relation names a table or view. Schema may be empty (the connection's
// default schema).
type Relation struct {
	Schema string
	Name   string
}

func (r Relation) String() string {
	if r.Schema == "" {
		return r.Name
	}
	return r.Schema + "." + r.Name
}

// Kind of a relation found in the warehouse.
type Kind string

const (
	KindTable Kind = "table"
	KindView  Kind = "view"
)

// Column is a column of a relation as the warehouse reports it. Type is the
// engine's own type name, lower-cased (e.g. "bigint", "text", "varchar",
// "timestamp with time zone").
type Column struct {
	Name string
	Type string
}

// Result is a fully buffered query result. It is meant for small results
// (previews, counts, failing-row samples); values are Go values as the
// driver returns them (int64, float64, string, bool, time.Time, nil, ...).
type Result struct {
	Columns []string
	Rows    [][]any
}

// RowSource streams rows into BulkLoad. It mirrors pgx.CopyFromSource:
// Next advances, Values returns the current row (valid until the next call
// to Next), Err reports the error that stopped iteration, if any.
type RowSource interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// ErrRelationNotFound is returned (wrapped) by Columns and by statements that
// need an existing relation when it does not exist.
var ErrRelationNotFound = errors.New("relation not found")

// Conn is what both an Adapter and a transaction can do. All methods take
// ctx first and honour its cancellation.
type Conn interface {
	// Exec runs one or more statements that return no rows. Placeholders
	// are $1, $2, ... on every engine.
	Exec(ctx context.Context, sql string, args ...any) error
	// Query runs a statement and buffers at most limit rows (limit < 0:
	// all rows).
	//
	// Values are normalized identically on every engine: integer types →
	// int64; real/double → float64; numeric/decimal → an exact string with
	// the type's scale ("1.50"); text/varchar → string; boolean → bool;
	// timestamp → time.Time in UTC whose wall clock is the stored value;
	// timestamptz → the instant as time.Time in UTC; date → time.Time at
	// midnight UTC; uuid → canonical string; bytea/blob → []byte; NULL →
	// nil. Other types (interval, json, arrays, ...) are engine-specific.
	// Aggregates may differ in type between engines: sum(bigint) and
	// avg(bigint) are numeric on PostgreSQL (strings) but HUGEINT and
	// DOUBLE on DuckDB (int64, float64); cast in SQL where it matters.
	// Sessions run in time zone UTC.
	Query(ctx context.Context, sql string, limit int, args ...any) (*Result, error)
	// Columns lists the columns of rel in ordinal order, or an error
	// wrapping ErrRelationNotFound.
	Columns(ctx context.Context, rel Relation) ([]Column, error)
	// RelationKind reports whether rel exists and what it is. ok is false
	// when it does not exist.
	RelationKind(ctx context.Context, rel Relation) (kind Kind, ok bool, err error)
	// BulkLoad appends every row of src to the existing table rel, in the
	// given column order, using the engine's bulk path (COPY on
	// PostgreSQL, the appender on DuckDB) — never row-by-row INSERT. It
	// streams: memory does not grow with the number of rows. It returns
	// the number of rows loaded.
	//
	// columns may be any subset of the table's columns in any order; the
	// others get NULL (their default). Values per extract.Type: string,
	// int64, float64, bool, time.Time, nil for NULL. A time.Time stored
	// into a timestamp column keeps its UTC wall clock (build it with
	// time.Date(..., time.UTC)); into timestamptz, its instant. Outside a
	// transaction a failed load leaves none of its rows; inside InTx,
	// return the error so the transaction rolls back.
	BulkLoad(ctx context.Context, rel Relation, columns []string, src RowSource) (int64, error)
}

// Adapter is a connection pool to one warehouse target.
type Adapter interface {
	Conn
	// Dialect returns the SQL generator for this engine.
	Dialect() Dialect
	// InTx runs fn inside one transaction: committed if fn returns nil,
	// rolled back otherwise (and on panic).
	InTx(ctx context.Context, fn func(tx Conn) error) error
	// Lock takes a named, session-level advisory lock that keeps two cdw
	// runs on the same target from overlapping; the returned func releases
	// it. On engines with one writer per process (DuckDB) it may be a no-op.
	Lock(ctx context.Context, name string) (unlock func(), err error)
	// DB exposes the pool as database/sql for libraries that need it
	// (goose). Callers must not Close it.
	DB() *sql.DB
	Close() error
}

// Unsupported is returned by a Dialect for a feature the engine lacks.
type Unsupported struct {
	Kind    string // e.g. "incremental/merge"
	Dialect string
}

func (e *Unsupported) Error() string {
	return fmt.Sprintf("unsupported: %s on %s", e.Kind, e.Dialect)
}

// Dialect generates SQL for one engine. It holds no connection and does no
// I/O, so its output is a pure function of its inputs (golden-tested per
// engine). Statement builders for materializations live beside it in the
// engine packages; the engine-neutral contract is this interface.
type Dialect interface {
	// Name is the engine name: "duckdb", "postgres", "redshift".
	Name() string
	// QuoteIdent quotes one identifier, escaping embedded quotes.
	QuoteIdent(name string) string
	// QuoteRelation renders a relation as quoted "schema"."name".
	QuoteRelation(r Relation) string
	// QuoteString renders a SQL string literal.
	QuoteString(s string) string
}

// PhysicalOptions are a table's physical layout on engines that have one
// (Redshift: DISTSTYLE/DISTKEY, SORTKEY, BACKUP). The zero value asks for
// the engine's defaults.
type PhysicalOptions struct {
	Dist     string   // auto, even, all, or a column (distribution key)
	Sort     []string // sort key columns
	SortType string   // compound (default) or interleaved
	NoBackup bool     // leave the table out of snapshots
}

// IsZero reports whether no option is set.
func (o PhysicalOptions) IsZero() bool {
	return o.Dist == "" && len(o.Sort) == 0 && o.SortType == "" && !o.NoBackup
}

// Physical is implemented by adapters whose tables take PhysicalOptions.
// WithPhysical returns an adapter that builds tables with them; adapters
// that do not implement it ignore the options (as dbt ignores another
// adapter's configs).
type Physical interface {
	WithPhysical(PhysicalOptions) (Adapter, error)
}
