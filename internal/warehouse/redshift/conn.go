package redshift

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// conn implements warehouse.Conn on the pool or on a transaction.
type conn struct {
	q    querier
	a    *Adapter
	done *atomic.Bool // set when the transaction has ended; nil on the pool
	inTx bool
}

var errTxDone = errors.New("redshift: transaction already ended")

// ErrTruncateInTx is returned by Exec inside InTx for a TRUNCATE, which on
// Redshift commits the transaction it runs in.
var ErrTruncateInTx = errors.New("redshift: TRUNCATE inside a transaction would commit it half-way; use DELETE FROM, or truncate outside InTx")

// truncateStmt finds TRUNCATE as a statement: at the start or after a
// semicolon, ignoring leading whitespace and -- comments.
var truncateStmt = regexp.MustCompile(`(?is)(?:^|;)(?:\s|--[^\n]*\n)*truncate\b`)

func wrap(what string, err error) error { return fmt.Errorf("redshift: %s: %w", what, err) }

func (c conn) check() error {
	if c.done != nil && c.done.Load() {
		return errTxDone
	}
	return nil
}

// Exec runs statements that return no rows (one statement when args are
// given). Inside InTx a TRUNCATE is refused with ErrTruncateInTx.
func (c conn) Exec(ctx context.Context, sql string, args ...any) error {
	if err := c.check(); err != nil {
		return err
	}
	if c.inTx && truncateStmt.MatchString(sql) {
		return ErrTruncateInTx
	}
	if _, err := c.q.Exec(ctx, sql, args...); err != nil {
		return wrap("exec", err)
	}
	return nil
}

// Query buffers at most limit rows (all when limit < 0), normalized as on
// every cdw adapter (see warehouse.Conn): integers → int64, real/double →
// float64, numeric → exact string, text/varchar/char → string, boolean →
// bool, timestamp → UTC wall clock, timestamptz → the instant in UTC, date
// → midnight UTC, NULL → nil. Redshift-only types (SUPER, GEOMETRY, ...)
// come back as strings.
func (c conn) Query(ctx context.Context, sql string, limit int, args ...any) (*warehouse.Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	rows, err := c.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap("query", err)
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
			return nil, wrap("query", err)
		}
		for i, v := range vals {
			if vals[i], err = postgres.Normalize(v); err != nil {
				return nil, fmt.Errorf("redshift: column %s: %w", fds[i].Name, err)
			}
		}
		res.Rows = append(res.Rows, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("query", err)
	}
	return res, nil
}

// relationQuery finds a relation by schema and name, case-insensitively
// (Redshift folds identifiers); an empty schema means current_schema().
const relationQuery = `select c.oid, c.relkind::text
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where lower(n.nspname) = lower(coalesce(nullif($1, ''), current_schema()))
  and lower(c.relname) = lower($2) and c.relkind in ('r', 'v')`

// Columns lists rel's columns in ordinal order with format_type names. A
// late-binding view has no columns in pg_attribute; they are read from
// pg_get_late_binding_view_cols().
func (c conn) Columns(ctx context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
	res, err := c.Query(ctx, `with r as (`+relationQuery+`)
select r.relkind, a.attname::text, format_type(a.atttypid, a.atttypmod)::text
from r left join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
order by a.attnum`, -1, rel.Schema, rel.Name)
	if err != nil {
		return nil, fmt.Errorf("redshift: columns of %s: %w", rel, err)
	}
	if len(res.Rows) == 0 {
		return nil, fmt.Errorf("redshift: columns of %s: %w", rel, warehouse.ErrRelationNotFound)
	}
	var cols []warehouse.Column
	for _, row := range res.Rows {
		if row[1] == nil {
			continue
		}
		name, _ := row[1].(string)
		typ, _ := row[2].(string)
		cols = append(cols, warehouse.Column{Name: name, Type: typ})
	}
	if len(cols) == 0 && res.Rows[0][0] == "v" {
		return c.lateBindingColumns(ctx, rel)
	}
	return cols, nil
}

func (c conn) lateBindingColumns(ctx context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
	res, err := c.Query(ctx, `select col_name::text, col_type::text
from pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)
where lower(view_schema) = lower(coalesce(nullif($1, ''), current_schema())) and lower(view_name) = lower($2)
order by col_num`, -1, rel.Schema, rel.Name)
	if err != nil {
		return nil, fmt.Errorf("redshift: columns of late-binding view %s: %w", rel, err)
	}
	cols := make([]warehouse.Column, 0, len(res.Rows))
	for _, row := range res.Rows {
		name, _ := row[0].(string)
		typ, _ := row[1].(string)
		cols = append(cols, warehouse.Column{Name: name, Type: typ})
	}
	return cols, nil
}

// RelationKind reports tables and views (late-binding or not).
func (c conn) RelationKind(ctx context.Context, rel warehouse.Relation) (warehouse.Kind, bool, error) {
	res, err := c.Query(ctx, relationQuery, 1, rel.Schema, rel.Name)
	if err != nil {
		return "", false, fmt.Errorf("redshift: look up %s: %w", rel, err)
	}
	if len(res.Rows) == 0 {
		return "", false, nil
	}
	if res.Rows[0][1] == "v" {
		return warehouse.KindView, true, nil
	}
	return warehouse.KindTable, true, nil
}

// BulkLoad appends src's rows to rel through S3 (see the package doc):
// stage gzip CSV parts and a manifest, then create a temporary staging
// table like rel, COPY the parts into it, compare pg_last_copy_count()
// with the rows staged, insert into rel, drop the staging table. Outside
// a transaction the database part runs in its own InTx (retried on
// serialization conflicts); inside one it runs on that transaction, so
// the caller's rollback undoes it. Staged objects are deleted afterwards
// unless Staging.KeepFiles. No rows: nothing is copied.
func (c conn) BulkLoad(ctx context.Context, rel warehouse.Relation, columns []string, src warehouse.RowSource) (int64, error) {
	return c.land(ctx, rel, columns, nil, src)
}

// land stages src and appends it to rel, or merges it on key.
func (c conn) land(ctx context.Context, rel warehouse.Relation, columns, key []string, src warehouse.RowSource) (int64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("redshift: bulk load %s: %w", rel, err) }
	st := c.a.opts.Staging
	if st == nil || st.S3 == nil {
		return fail(errors.New("no S3 staging configured (Redshift loads through S3: set landing: bucket and iam_role for this environment)"))
	}
	if len(columns) == 0 {
		return fail(errors.New("no columns given"))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fail(err)
	}
	s, err := st.stage(ctx, id.String(), columns, src)
	defer func() { _ = st.cleanup(ctx, s.Keys) }()
	if err != nil {
		return fail(err)
	}
	if s.Rows == 0 {
		return 0, nil
	}
	d := c.a.dialect
	stage := warehouse.Relation{Name: warehouse.TempName(rel.Name, "__cdw_stage", d.MaxIdentifierLength())}
	stmts, err := d.LandStatements(rel, stage, CopySpec{Columns: columns, ManifestURL: s.ManifestURL, IAMRole: st.IAMRole, Region: st.Region}, key)
	if err != nil {
		return fail(err)
	}
	run := func(tx warehouse.Conn) error { return runLand(ctx, tx, stmts, s.Rows) }
	if c.inTx {
		err = run(c)
	} else {
		err = c.a.InTx(ctx, run)
	}
	if err != nil {
		return fail(err)
	}
	return s.Rows, nil
}

// runLand runs LandStatements, checking the COPY count (index 2).
func runLand(ctx context.Context, tx warehouse.Conn, stmts []string, want int64) error {
	for i, stmt := range stmts {
		if i != 2 {
			if err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
			continue
		}
		res, err := tx.Query(ctx, stmt, 1)
		if err != nil {
			return err
		}
		if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
			return errors.New("pg_last_copy_count(): unexpected result shape")
		}
		got, ok := res.Rows[0][0].(int64)
		if !ok || got != want {
			return fmt.Errorf("COPY loaded %v rows but %d were staged; nothing was loaded", res.Rows[0][0], want)
		}
	}
	return nil
}

// Merge lands src like BulkLoad but upserts it into rel on key (compared
// null-safely) with MERGE instead of appending. key must be among
// columns; src must not repeat a key (MERGE fails if it does).
func (a *Adapter) Merge(ctx context.Context, rel warehouse.Relation, columns, key []string, src warehouse.RowSource) (int64, error) {
	if len(key) == 0 {
		return 0, fmt.Errorf("redshift: merge into %s: no key", rel)
	}
	return a.conn.land(ctx, rel, columns, key, src)
}
