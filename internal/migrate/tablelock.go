package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// tableLocker is the migration lock used on Redshift when no WithLock is
// given: Redshift has no advisory locks, so it holds LOCK on a table of its
// own (cdw_meta.goose_migration_lock) in a transaction kept open on a
// dedicated connection for the duration of each operation. A second
// migrator waits inside LOCK until the first one's transaction ends (or
// its session does), or until ctx ends. It also works on PostgreSQL.
type tableLocker struct {
	schema, table string

	conn *sql.Conn
	tx   *sql.Tx
}

func newTableLocker() *tableLocker {
	return &tableLocker{schema: "cdw_meta", table: "goose_migration_lock"}
}

func (l *tableLocker) name() string { return `"` + l.schema + `"."` + l.table + `"` }

// Lock creates the lock table if needed and takes the lock.
func (l *tableLocker) Lock(ctx context.Context, db *sql.DB) error {
	for _, stmt := range []string{
		`create schema if not exists "` + l.schema + `"`,
		"create table if not exists " + l.name() + " (locked_by varchar(256))",
	} {
		var err error
		for attempt := 0; attempt < 5; attempt++ { // concurrent creators may collide once
			if _, err = db.ExecContext(ctx, stmt); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(20<<attempt) * time.Millisecond):
			}
		}
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err == nil {
		if _, err = tx.ExecContext(ctx, "lock "+l.name()); err != nil {
			tx.Rollback()
		}
	}
	if err != nil {
		conn.Close()
		return fmt.Errorf("migration lock: %w", err)
	}
	l.conn, l.tx = conn, tx
	return nil
}

// Unlock ends the lock's transaction and returns its connection.
func (l *tableLocker) Unlock(context.Context, *sql.DB) error {
	if l.tx == nil {
		return nil
	}
	err := l.tx.Rollback()
	cerr := l.conn.Close()
	l.tx, l.conn = nil, nil
	if err != nil {
		return fmt.Errorf("migration unlock: %w", err)
	}
	return cerr
}
