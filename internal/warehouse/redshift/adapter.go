// Package redshift is cdw's warehouse.Adapter for Amazon Redshift, the
// scale-out warehouse. It speaks the PostgreSQL wire protocol through a
// pgx/v5 pool in QueryExecModeExec (extended protocol, nothing prepared or
// cached, no client-side interpolation: Redshift reports no
// standard_conforming_strings, which pgx's simple protocol requires).
//
// What Redshift needs beyond PostgreSQL, and how this package does it:
//   - views are late-binding by default (see Dialect);
//   - every transaction is serializable: InTx retries a transaction that
//     fails with a serialization conflict (Redshift error 1023, SQLSTATE
//     40001, "conflict with concurrent transaction"), with backoff;
//   - TRUNCATE commits the open transaction: Exec inside InTx refuses it;
//   - no advisory locks: Lock holds LOCK on a table of its own
//     (cdw_meta.lock_<hash>) in an open transaction on a dedicated
//     connection;
//   - bulk loads go through S3: BulkLoad writes gzip CSV parts (as many
//     side by side as the cluster has slices) and a manifest, then in one
//     transaction COPYs them into a temporary staging table, checks
//     pg_last_copy_count() against the rows written, and appends them.
//
// The Adapter is safe for concurrent use.
package redshift

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Options configure Open.
type Options struct {
	// URL is a postgres:// URL or keyword/value string for the cluster
	// (port 5439 by default on Redshift).
	URL string
	// MaxConns caps the pool (0: pgxpool's default). Negative is an error.
	MaxConns int
	// BindViews makes views schema-bound instead of late-binding.
	BindViews bool
	// Staging is where BulkLoad stages rows on S3; nil makes BulkLoad fail
	// with a message saying so.
	Staging *Staging
	// Retries is how many times InTx re-runs a transaction that hit a
	// serialization conflict (default 5; negative: never).
	Retries int
	// LockSchema holds Lock's tables (default "cdw_meta").
	LockSchema string
}

// Adapter is a warehouse.Adapter over a pgxpool.Pool to Redshift.
type Adapter struct {
	pool    *pgxpool.Pool
	db      *sql.DB
	dialect Dialect
	opts    Options
	version string
	conn
}

var _ warehouse.Adapter = (*Adapter)(nil)

// Open connects, sets the session time zone to UTC, and reads the server
// version (Version) and, when Staging.Parts is 0, the number of slices
// (stv_slices; 1 if it cannot be read).
func Open(ctx context.Context, opts Options) (*Adapter, error) {
	if opts.URL == "" {
		return nil, errors.New("redshift: no URL")
	}
	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("redshift: MaxConns %d is negative", opts.MaxConns)
	}
	if opts.Retries == 0 {
		opts.Retries = 5
	}
	if opts.LockSchema == "" {
		opts.LockSchema = "cdw_meta"
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redshift: parse URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(opts.MaxConns)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "set timezone to 'UTC'")
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("redshift: connect: %w", err)
	}
	a := &Adapter{pool: pool, dialect: Dialect{BindViews: opts.BindViews}, opts: opts}
	a.conn = conn{q: pool, a: a}
	if err := pool.QueryRow(ctx, "select version()").Scan(&a.version); err != nil {
		pool.Close()
		return nil, fmt.Errorf("redshift: connect: %w", err)
	}
	if opts.Staging != nil && opts.Staging.Parts == 0 {
		st := *opts.Staging
		st.Parts = 1
		var n int64
		if err := pool.QueryRow(ctx, "select count(*) from stv_slices").Scan(&n); err == nil && n > 0 {
			st.Parts = int(n)
		}
		a.opts.Staging = &st
	}
	a.db = stdlib.OpenDBFromPool(pool)
	return a, nil
}

// Version is the server's version() string (it names Redshift and its
// build on a real cluster).
func (a *Adapter) Version() string { return a.version }

// IsRedshift reports whether the server says it is Redshift.
func (a *Adapter) IsRedshift() bool { return strings.Contains(a.version, "Redshift") }

// Dialect returns the Redshift dialect (a warehouse.Statements).
func (a *Adapter) Dialect() warehouse.Dialect { return a.dialect }

// DB exposes the pool as database/sql (goose). Do not Close it.
func (a *Adapter) DB() *sql.DB { return a.db }

// Close closes the pool, waiting for acquired connections (including a
// held Lock) to be released.
func (a *Adapter) Close() error {
	err := a.db.Close()
	a.pool.Close()
	return err
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// WithTableOptions returns a view of the adapter whose dialect creates
// every table with o (dist/sort keys): pass it to warehouse.BuildTable or
// ApplyIncremental to materialize one model with its physical config. It
// shares the pool; closing either closes both. o is validated first.
func (a *Adapter) WithTableOptions(o TableOptions) (warehouse.Adapter, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	d := a.dialect
	d.Table = o
	return &tabled{Adapter: a, d: d}, nil
}

// tabled is an Adapter with table options in its dialect.
type tabled struct {
	*Adapter
	d Dialect
}

func (t *tabled) Dialect() warehouse.Dialect { return t.d }

// WithPhysical implements warehouse.Physical.
func (a *Adapter) WithPhysical(o warehouse.PhysicalOptions) (warehouse.Adapter, error) {
	return a.WithTableOptions(TableOptions{Dist: o.Dist, Sort: o.Sort, SortType: o.SortType, NoBackup: o.NoBackup})
}
