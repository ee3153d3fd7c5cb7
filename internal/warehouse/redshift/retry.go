package redshift

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// IsSerializationConflict reports whether err is a transaction losing a
// serializable-isolation conflict, which a retry may win: SQLSTATE 40001,
// Redshift's "1023 ... Serializable isolation violation" (SQLSTATE XX000),
// or its "could not complete because of conflict with concurrent
// transaction".
func IsSerializationConflict(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Code == "40001" {
		return true
	}
	msg := strings.ToLower(pe.Message + " " + pe.Detail)
	return strings.HasPrefix(strings.TrimSpace(pe.Message), "1023") ||
		strings.Contains(msg, "serializable isolation violation") ||
		strings.Contains(msg, "conflict with concurrent transaction")
}

// InTx runs fn in one serializable transaction on one pooled connection,
// committing when fn returns nil. A serialization conflict (from fn or
// from COMMIT) rolls back and runs fn again, up to Options.Retries times
// with exponential backoff from 50 ms; fn must therefore be safe to
// re-run. Any other error (or a panic, re-raised) rolls back and is
// returned. Exec inside fn refuses TRUNCATE, which would commit the
// transaction half-way. The tx Conn must not be used after fn returns or
// from several goroutines at once.
func (a *Adapter) InTx(ctx context.Context, fn func(tx warehouse.Conn) error) error {
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := a.tryTx(ctx, fn)
		if err == nil || !IsSerializationConflict(err) || attempt >= a.opts.Retries || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

func (a *Adapter) tryTx(ctx context.Context, fn func(tx warehouse.Conn) error) error {
	tx, err := a.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return wrap("begin", err)
	}
	done := &atomic.Bool{}
	committed := false
	defer func() {
		done.Store(true)
		if !committed {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = tx.Rollback(rctx)
		}
	}()
	if err := fn(conn{q: tx, a: a, done: done, inTx: true}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap("commit", err)
	}
	committed = true
	return nil
}
