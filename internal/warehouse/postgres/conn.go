package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// conn implements warehouse.Conn on the pool or on a transaction.
type conn struct {
	q    querier
	done *atomic.Bool // set when the transaction has ended; nil on the pool
}

var errTxDone = errors.New("postgres: transaction already ended")

func (c conn) check() error {
	if c.done != nil && c.done.Load() {
		return errTxDone
	}
	return nil
}

// Exec runs statements that return no rows. Without args the simple
// protocol is used, so several statements separated by semicolons may be
// given; with args exactly one.
func (c conn) Exec(ctx context.Context, sql string, args ...any) error {
	if err := c.check(); err != nil {
		return err
	}
	if _, err := c.q.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// Query buffers at most limit rows (all when limit < 0); the rest of the
// result is read and discarded by the driver. Values are normalized as on
// every cdw adapter: smallint/integer/bigint → int64, real/double → float64,
// numeric → exact string as PostgreSQL prints it ("1.50", "NaN"),
// text/varchar/name → string, boolean → bool, timestamp → time.Time in UTC
// holding the stored wall clock, timestamptz → the instant as time.Time in
// UTC, date → time.Time at midnight UTC, uuid → canonical string, bytea →
// []byte, NULL → nil. Other types (interval, json, arrays, ...) come back
// as pgx decodes them and differ between engines.
func (c conn) Query(ctx context.Context, sql string, limit int, args ...any) (*warehouse.Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rows, err := c.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	res := &warehouse.Result{Columns: make([]string, len(fds))}
	for i, fd := range fds {
		res.Columns[i] = fd.Name
	}
	for (limit < 0 || len(res.Rows) < limit) && rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		for i, v := range vals {
			if vals[i], err = Normalize(v); err != nil {
				return nil, fmt.Errorf("postgres: column %s: %w", fds[i].Name, err)
			}
		}
		res.Rows = append(res.Rows, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return res, nil
}

// Columns lists rel's columns in ordinal order with format_type names
// ("bigint", "text", "timestamp without time zone", "numeric(10,2)"), or
// an error wrapping warehouse.ErrRelationNotFound. Names resolve like SQL:
// exact case, an empty schema searches search_path.
func (c conn) Columns(ctx context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
	res, err := c.Query(ctx, `select c.relkind::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
from pg_class c
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.oid = to_regclass($1) and c.relkind in ('r', 'p', 'f', 'v', 'm')
order by a.attnum`, -1, quote(rel))
	if err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", rel, err)
	}
	if len(res.Rows) == 0 {
		return nil, fmt.Errorf("postgres: columns of %s: %w", rel, warehouse.ErrRelationNotFound)
	}
	var cols []warehouse.Column
	for _, row := range res.Rows {
		if row[1] == nil {
			continue // a relation without columns
		}
		name, _ := row[1].(string)
		typ, _ := row[2].(string)
		cols = append(cols, warehouse.Column{Name: name, Type: typ})
	}
	return cols, nil
}

// RelationKind reports tables (also partitioned and foreign ones) and
// views (also materialized ones); other relkinds count as absent.
func (c conn) RelationKind(ctx context.Context, rel warehouse.Relation) (warehouse.Kind, bool, error) {
	res, err := c.Query(ctx, `select c.relkind::text from pg_class c where c.oid = to_regclass($1)`, 1, quote(rel))
	if err != nil {
		return "", false, fmt.Errorf("postgres: look up %s: %w", rel, err)
	}
	if len(res.Rows) == 0 {
		return "", false, nil
	}
	switch res.Rows[0][0] {
	case "r", "p", "f":
		return warehouse.KindTable, true, nil
	case "v", "m":
		return warehouse.KindView, true, nil
	}
	return "", false, nil
}

// BulkLoad copies src's rows into the existing table rel with COPY FROM
// STDIN (binary), streaming. columns name the values of each row and may
// be any subset of the table's columns in any order (exact names); the
// others get their defaults (NULL). Values: string, int64, float64, bool,
// time.Time (a timestamp column stores the value's UTC wall clock — build
// it with time.Date(..., time.UTC); a timestamptz column stores the
// instant), nil for NULL. One COPY is one statement: on error no row of
// this call remains: outside InTx the COPY runs in a transaction of its
// own that commits only if the COPY succeeded and ctx is still live (so a
// cancellation racing the COPY's end cannot leave rows behind while the
// caller is told it failed); inside InTx, roll back by returning the error.
func (c conn) BulkLoad(ctx context.Context, rel warehouse.Relation, columns []string, src warehouse.RowSource) (int64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if pool, ok := c.q.(*pgxpool.Pool); ok {
		return bulkLoadInTx(ctx, pool, rel, columns, src)
	}
	if len(columns) == 0 {
		return 0, fmt.Errorf("postgres: bulk load %s: no columns given", rel)
	}
	if n, ok, err := c.copyTyped(ctx, rel, columns, src); ok || err != nil {
		return n, err
	}
	ident := pgx.Identifier{rel.Name}
	if rel.Schema != "" {
		ident = pgx.Identifier{rel.Schema, rel.Name}
	}
	n, err := c.q.CopyFrom(ctx, ident, columns, &copySource{src: src})
	if err != nil {
		return 0, fmt.Errorf("postgres: bulk load %s: %w", rel, err)
	}
	return n, nil
}

// copySource adapts a RowSource to pgx, turning every time.Time into UTC
// first: pgx stores a time.Time into timestamp as the wall clock of the
// value's own location, so this makes "UTC wall clock" the rule on both
// engines.
type copySource struct {
	src warehouse.RowSource
	buf []any
}

func (s *copySource) Next() bool { return s.src.Next() }
func (s *copySource) Err() error { return s.src.Err() }

func (s *copySource) Values() ([]any, error) {
	vals, err := s.src.Values()
	if err != nil {
		return nil, err
	}
	s.buf = append(s.buf[:0], vals...)
	for i, v := range s.buf {
		if t, ok := v.(time.Time); ok {
			s.buf[i] = t.UTC()
		}
	}
	return s.buf, nil
}

// quote renders rel for to_regclass, quoting every part.
func quote(rel warehouse.Relation) string { return dialect.Postgres(0).QuoteRelation(rel) }

// bulkLoadInTx runs one BulkLoad in a transaction of its own on pool.
func bulkLoadInTx(ctx context.Context, pool *pgxpool.Pool, rel warehouse.Relation, columns []string, src warehouse.RowSource) (int64, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: bulk load %s: %w", rel, err)
	}
	rollback := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx)
	}
	n, err := conn{q: tx, done: new(atomic.Bool)}.BulkLoad(ctx, rel, columns, src)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		rollback()
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		rollback()
		return 0, fmt.Errorf("postgres: bulk load %s: commit: %w", rel, err)
	}
	return n, nil
}
