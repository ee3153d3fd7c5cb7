// Package postgres is cdw's warehouse.Adapter for PostgreSQL over a pgx/v5
// pool. Statements run in pgx's QueryExecModeExec: no statement is
// prepared or cached, so plans never go stale after DDL and the adapter
// works behind PgBouncer in transaction mode. Sessions use TimeZone UTC
// unless the URL sets timezone itself.
//
// The Adapter is safe for concurrent use; Lock holds one pooled connection
// for as long as the lock is held.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// Options configure Open.
type Options struct {
	// URL is a libpq-style connection string or postgres:// URL.
	URL string
	// MaxConns caps the pool; 0 keeps pgxpool's default (the larger of 4
	// and the number of CPUs). Negative is an error.
	MaxConns int
}

// Adapter is a warehouse.Adapter over a pgxpool.Pool.
type Adapter struct {
	pool    *pgxpool.Pool
	db      *sql.DB
	dialect dialect.SQL
	conn    // statements on the pool
}

var _ warehouse.Adapter = (*Adapter)(nil)

// Open connects, checks the server answers and reads its version (which
// decides whether merges use MERGE, PostgreSQL 15+, or delete + insert).
func Open(ctx context.Context, opts Options) (*Adapter, error) {
	if opts.URL == "" {
		return nil, errors.New("postgres: no URL")
	}
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: MaxConns %d is negative", opts.MaxConns)
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(opts.MaxConns)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	if _, set := cfg.ConnConfig.RuntimeParams["timezone"]; !set {
		cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	var version string
	if err := pool.QueryRow(ctx, "select current_setting('server_version_num')").Scan(&version); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	num, err := strconv.Atoi(version)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: unrecognised server_version_num %q", version)
	}
	a := &Adapter{pool: pool, db: stdlib.OpenDBFromPool(pool), dialect: dialect.Postgres(num)}
	a.conn = conn{q: pool}
	return a, nil
}

// Dialect returns the PostgreSQL dialect (it implements
// warehouse.Statements).
func (a *Adapter) Dialect() warehouse.Dialect { return a.dialect }

// DB exposes the pool as database/sql (goose). Do not Close it; Close
// closes it.
func (a *Adapter) DB() *sql.DB { return a.db }

// Close closes the database/sql view and the pool, waiting for acquired
// connections (including a held Lock) to be released.
func (a *Adapter) Close() error {
	err := a.db.Close()
	a.pool.Close()
	return err
}

// Lock takes pg_advisory_lock on a key derived from name, on a pooled
// connection dedicated to the lock until unlock. It waits until the lock
// is granted or ctx ends; on cancellation the connection is closed, so a
// lock granted at the last moment cannot linger. unlock is idempotent; if
// unlocking fails the connection is closed, which releases the lock too.
func (a *Adapter) Lock(ctx context.Context, name string) (func(), error) {
	pc, err := a.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	key := lockKey(name)
	if _, err := pc.Exec(ctx, "select pg_advisory_lock($1)", key); err != nil {
		closeConn(pc)
		return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	// The session's application_name tells a waiting run who holds it.
	if _, err := pc.Exec(ctx, "select set_config('application_name', $1, false)", warehouse.HolderName(time.Now())); err != nil {
		closeConn(pc)
		return nil, fmt.Errorf("postgres: lock %q: %w", name, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _ = pc.Exec(ctx, "select set_config('application_name', '', false)")
			var released bool
			if err := pc.QueryRow(ctx, "select pg_advisory_unlock($1)", key).Scan(&released); err != nil || !released {
				closeConn(pc)
				return
			}
			pc.Release()
		})
	}, nil
}

// LockHolder names the session holding the advisory lock name: the
// application_name Lock gave it (cdw pid, host, since when), or its pid,
// user and client address when another program holds the key. "" when
// the lock is free.
func (a *Adapter) LockHolder(ctx context.Context, name string) (string, error) {
	key := uint64(lockKey(name))
	rows, err := a.pool.Query(ctx, `select a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), coalesce(host(a.client_addr), 'local')
from pg_locks l join pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
  and l.classid::bigint = $1 and l.objid::bigint = $2 and l.objsubid = 1`, int64(key>>32), int64(key&0xffffffff))
	if err != nil {
		return "", fmt.Errorf("postgres: holder of lock %q: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var app, user, addr string
		if err := rows.Scan(&pid, &app, &user, &addr); err != nil {
			return "", fmt.Errorf("postgres: holder of lock %q: %w", name, err)
		}
		if app != "" {
			return fmt.Sprintf("%s (server pid %d)", app, pid), nil
		}
		return fmt.Sprintf("server pid %d (user %s from %s)", pid, user, addr), nil
	}
	return "", rows.Err()
}

// closeConn takes the connection out of the pool and closes it, ending
// its session (and any advisory lock it holds).
func closeConn(pc *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = pc.Hijack().Close(ctx)
}

// lockKey maps a lock name to a bigint advisory-lock key, stable across
// processes and versions.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("cdw:" + name))
	return int64(h.Sum64())
}
