package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// execer is what *sql.DB and *sql.Conn have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// conn implements warehouse.Conn on the pool (pinned == nil) or on the
// connection pinned by InTx.
type conn struct {
	q      execer
	a      *Adapter
	pinned *sql.Conn    // the transaction's connection, nil on the pool
	done   *atomic.Bool // set when the transaction has ended
}

var errTxDone = errors.New("duckdb: transaction already ended")

func (c conn) check() error {
	if c.done != nil && c.done.Load() {
		return errTxDone
	}
	return nil
}

// Exec runs statements that return no rows; without args several
// statements separated by semicolons may be given.
func (c conn) Exec(ctx context.Context, query string, args ...any) error {
	if err := c.check(); err != nil {
		return err
	}
	if _, err := c.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	return nil
}

// Query buffers at most limit rows (all when limit < 0) and stops reading
// there. Values are normalized as on every cdw adapter: integers → int64
// (HUGEINT beyond int64 → decimal string), floats → float64, DECIMAL → an
// exact string with the column's scale ("1.50"), VARCHAR → string, BOOLEAN
// → bool, TIMESTAMP → time.Time in UTC holding the stored wall clock,
// TIMESTAMPTZ → the instant as time.Time in UTC, DATE → time.Time at
// midnight UTC, UUID → its canonical string, BLOB → []byte, NULL → nil.
// Other types (INTERVAL, LIST, STRUCT, ...) come back as duckdb-go returns
// them and differ between engines.
func (c conn) Query(ctx context.Context, query string, limit int, args ...any) (*warehouse.Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rows, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	res := &warehouse.Result{Columns: make([]string, len(types))}
	dbTypes := make([]string, len(types))
	for i, t := range types {
		res.Columns[i] = t.Name()
		dbTypes[i] = t.DatabaseTypeName()
	}
	for (limit < 0 || len(res.Rows) < limit) && rows.Next() {
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("duckdb: %w", err)
		}
		for i, v := range vals {
			vals[i] = normalize(dbTypes[i], v)
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	return res, nil
}

// relationFilter matches rel case-insensitively (DuckDB identifiers fold
// case even when quoted) in the current database; an empty schema means
// the current schema.
const relationFilter = `table_catalog = current_database()
  and lower(table_schema) = lower(coalesce(nullif($1, ''), current_schema()))
  and lower(table_name) = lower($2)`

// Columns lists rel's columns in ordinal order with lower-cased DuckDB type
// names ("bigint", "varchar", "timestamp with time zone", "decimal(18,3)"),
// or an error wrapping warehouse.ErrRelationNotFound.
func (c conn) Columns(ctx context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
	if _, ok, err := c.RelationKind(ctx, rel); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("duckdb: columns of %s: %w", rel, warehouse.ErrRelationNotFound)
	}
	rows, err := c.q.QueryContext(ctx, `select column_name, lower(data_type)
from information_schema.columns
where `+relationFilter+`
order by ordinal_position`, rel.Schema, rel.Name)
	if err != nil {
		return nil, fmt.Errorf("duckdb: columns of %s: %w", rel, err)
	}
	defer rows.Close()
	var cols []warehouse.Column
	for rows.Next() {
		var col warehouse.Column
		if err := rows.Scan(&col.Name, &col.Type); err != nil {
			return nil, fmt.Errorf("duckdb: columns of %s: %w", rel, err)
		}
		cols = append(cols, col)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: columns of %s: %w", rel, err)
	}
	return cols, nil
}

// RelationKind reports whether rel is a table or a view.
func (c conn) RelationKind(ctx context.Context, rel warehouse.Relation) (warehouse.Kind, bool, error) {
	if err := c.check(); err != nil {
		return "", false, err
	}
	var tableType string
	rows, err := c.q.QueryContext(ctx, `select table_type from information_schema.tables where `+relationFilter, rel.Schema, rel.Name)
	if err != nil {
		return "", false, fmt.Errorf("duckdb: look up %s: %w", rel, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", false, fmt.Errorf("duckdb: look up %s: %w", rel, err)
		}
		return "", false, nil
	}
	if err := rows.Scan(&tableType); err != nil {
		return "", false, fmt.Errorf("duckdb: look up %s: %w", rel, err)
	}
	if strings.EqualFold(tableType, "VIEW") {
		return warehouse.KindView, true, nil
	}
	return warehouse.KindTable, true, nil
}
