package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// InTx pins one pooled connection and runs BEGIN, fn and COMMIT on it, so
// fn's statements and BulkLoad's appender share one transaction. fn's error
// (or a panic, which is re-raised) rolls back. The tx Conn must not be used
// after fn returns or from several goroutines at once.
func (a *Adapter) InTx(ctx context.Context, fn func(tx warehouse.Conn) error) error {
	sc, err := a.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("duckdb: begin: %w", err)
	}
	defer sc.Close()
	if _, err := sc.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: begin: %w", err)
	}
	done := &atomic.Bool{}
	committed := false
	defer func() {
		done.Store(true)
		if !committed {
			rollback(ctx, sc)
		}
	}()
	if err := fn(conn{q: sc, a: a, pinned: sc, done: done}); err != nil {
		return err
	}
	if _, err := sc.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("duckdb: commit: %w", err)
	}
	committed = true
	return nil
}

// rollback ends the pinned connection's transaction even when ctx is
// cancelled. If that fails (or the commit already ended it), the
// connection is discarded rather than returned to the pool.
func rollback(ctx context.Context, sc *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := sc.ExecContext(ctx, "ROLLBACK"); err != nil {
		_ = sc.Raw(func(any) error { return driver.ErrBadConn })
	}
}
