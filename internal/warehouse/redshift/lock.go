package redshift

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Lock takes a lock of cdw's own, since Redshift has no advisory locks: it
// creates the table <LockSchema>.lock_<hash of name> if needed, then on a
// dedicated pooled connection opens a transaction and runs LOCK on that
// table, which Redshift holds exclusively until the transaction ends. A
// second locker of the same name waits inside LOCK until the first
// unlocks (or its session ends), or until ctx ends. Different names never
// block each other. unlock rolls the transaction back and is idempotent;
// if that fails the connection is closed, which releases the lock too.
func (a *Adapter) Lock(ctx context.Context, name string) (func(), error) {
	d := a.dialect
	table := warehouse.Relation{Schema: a.opts.LockSchema, Name: lockTable(name)}
	setup := []string{
		d.CreateSchema(table.Schema),
		"create table if not exists " + d.QuoteRelation(table) + " (locked_by varchar(256))",
	}
	for _, stmt := range setup {
		if err := a.createRetrying(ctx, stmt); err != nil {
			return nil, fmt.Errorf("redshift: lock %q: %w", name, err)
		}
	}
	pc, err := a.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("redshift: lock %q: %w", name, err)
	}
	tx, err := pc.BeginTx(ctx, pgx.TxOptions{})
	if err == nil {
		_, err = tx.Exec(ctx, "lock "+d.QuoteRelation(table))
	}
	if err != nil {
		closeConn(pc.Conn())
		pc.Release()
		return nil, fmt.Errorf("redshift: lock %q: %w", name, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tx.Rollback(ctx); err != nil {
				closeConn(pc.Conn())
			}
			pc.Release()
		})
	}, nil
}

// createRetrying runs an idempotent CREATE ... IF NOT EXISTS, retrying
// when a concurrent creator of the same object wins the race (a unique
// violation or a serialization conflict).
func (a *Adapter) createRetrying(ctx context.Context, stmt string) error {
	var err error
	wait := 20 * time.Millisecond
	for attempt := 0; attempt < 6; attempt++ {
		if _, err = a.pool.Exec(ctx, stmt); err == nil {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
	return err
}

// closeConn closes a connection whose state is unknown, ending its session
// (and its locks); the pool discards it on release.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.Close(ctx)
}

// lockTable maps a lock name to a table name, stable across processes.
func lockTable(name string) string {
	h := fnv.New64a()
	h.Write([]byte("cdw:" + name))
	return fmt.Sprintf("lock_%016x", h.Sum64())
}
