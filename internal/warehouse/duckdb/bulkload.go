package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// BulkLoad appends src's rows to the existing table rel through DuckDB's
// appender, streaming one data chunk (2048 rows) at a time. columns name
// the values of each row and may be any subset of the table's columns in
// any order (matched case-insensitively); the others are NULL. Values:
// string, int64, float64, bool, time.Time (a TIMESTAMP column stores the
// value's UTC wall clock — build it with time.Date(..., time.UTC); a
// TIMESTAMPTZ column stores the instant), nil for NULL.
//
// Outside InTx the load runs in its own transaction: on any error (a bad
// value, src.Err, ctx cancelled — checked every chunk) no row of this call
// remains. Inside InTx the rows join the caller's transaction; return the
// error from fn so the transaction rolls back.
func (c conn) BulkLoad(ctx context.Context, rel warehouse.Relation, columns []string, src warehouse.RowSource) (int64, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if c.pinned != nil {
		return bulkLoad(ctx, c.pinned, rel, columns, src)
	}
	var n int64
	err := c.a.InTx(ctx, func(tx warehouse.Conn) error {
		var err error
		n, err = bulkLoad(ctx, tx.(conn).pinned, rel, columns, src)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func bulkLoad(ctx context.Context, sc *sql.Conn, rel warehouse.Relation, columns []string, src warehouse.RowSource) (int64, error) {
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("duckdb: bulk load %s: %w", rel, err)
	}
	tableCols, err := conn{q: sc}.Columns(ctx, rel)
	if err != nil {
		return fail(err)
	}
	pos, err := positions(tableCols, columns)
	if err != nil {
		return fail(err)
	}
	var n int64
	err = sc.Raw(func(dc any) error {
		drv, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		app, err := duckdb.NewAppender(drv, "", rel.Schema, rel.Name)
		if err != nil {
			return err
		}
		loadErr := appendAll(ctx, app, len(tableCols), pos, src, &n)
		if loadErr != nil {
			// Discard what is buffered; Close then only reports the
			// failure we already return, and the transaction is rolled
			// back by the caller.
			_ = app.Clear()
			_ = app.Close()
			return loadErr
		}
		return app.CloseWithCancel(ctx)
	})
	if err != nil {
		return fail(err)
	}
	return n, nil
}

// chunkRows is how often the cancellation of ctx is checked.
const chunkRows = 2048

func appendAll(ctx context.Context, app *duckdb.Appender, width int, pos []int, src warehouse.RowSource, n *int64) error {
	row := make([]driver.Value, width)
	for src.Next() {
		if *n%chunkRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		vals, err := src.Values()
		if err != nil {
			return fmt.Errorf("row %d: %w", *n+1, err)
		}
		if len(vals) != len(pos) {
			return fmt.Errorf("row %d has %d values for %d columns", *n+1, len(vals), len(pos))
		}
		clear(row)
		for i, v := range vals {
			row[pos[i]] = v
		}
		if err := app.AppendRow(row...); err != nil {
			return fmt.Errorf("row %d: %w", *n+1, err)
		}
		*n++
	}
	if err := src.Err(); err != nil {
		return fmt.Errorf("row source: %w", err)
	}
	return ctx.Err()
}

// positions maps each named column to its index among the table's columns.
func positions(table []warehouse.Column, columns []string) ([]int, error) {
	if len(columns) == 0 {
		return nil, errors.New("no columns given")
	}
	pos := make([]int, len(columns))
	used := make(map[int]bool, len(columns))
	for i, name := range columns {
		pos[i] = -1
		for j, tc := range table {
			if strings.EqualFold(tc.Name, name) {
				pos[i] = j
				break
			}
		}
		if pos[i] < 0 {
			return nil, fmt.Errorf("no column %q in the table", name)
		}
		if used[pos[i]] {
			return nil, fmt.Errorf("column %q given twice", name)
		}
		used[pos[i]] = true
	}
	return pos, nil
}
