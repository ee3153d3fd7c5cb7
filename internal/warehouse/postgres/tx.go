package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// InTx runs fn in one transaction on one pooled connection; BulkLoad inside
// fn copies within it. fn's error (or a panic, which is re-raised) rolls
// back, even when ctx is already cancelled. The tx Conn must not be used
// after fn returns or from several goroutines at once.
func (a *Adapter) InTx(ctx context.Context, fn func(tx warehouse.Conn) error) error {
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	done := &atomic.Bool{}
	committed := false
	defer func() {
		done.Store(true)
		if !committed {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = tx.Rollback(rctx) // a failed rollback closes the connection
		}
	}()
	if err := fn(conn{q: tx, done: done}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	committed = true
	return nil
}
