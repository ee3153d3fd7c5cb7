// Package duckdb is cdw's warehouse.Adapter for an embedded DuckDB database
// (duckdb-go v2, cgo). One Adapter owns one database instance; every
// connection of its pool shares it. Sessions run with TimeZone 'UTC'.
//
// Concurrency: the Adapter is safe for concurrent use. DuckDB commits
// catalog changes optimistically. Measured with duckdb-go v2.20000.0
// (DuckDB 2.0): DDL on different relations from several goroutines —
// CREATE TABLE AS, CREATE OR REPLACE VIEW, the rename swap of BuildTable
// inside transactions, all in one schema — never conflicts. Two
// transactions that create or alter the same catalog entry fail at once
// with "TransactionContext Error: Catalog write-write conflict on
// create/alter with ..." instead of waiting; that includes two concurrent
// CREATE SCHEMA IF NOT EXISTS of one new schema, and inside an explicit
// transaction an IF NOT EXISTS that meets another transaction's uncommitted
// creation silently does nothing, so the schema is then missing. cdw never
// builds one relation twice at once, and warehouse.BuildView, BuildTable and
// ApplyIncremental create schemas through a probe-create-verify loop with
// backoff, so the adapter does not serialize DDL (that would also serialize
// the long CREATE TABLE AS statements of independent models).
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

// Options configure Open.
type Options struct {
	// Path of the database file; its parent directory is created. ""
	// opens a private in-memory database that disappears on Close.
	Path string
}

// catalog is the name a database file is attached as.
const catalog = "cdw_warehouse"

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Adapter is a warehouse.Adapter over one DuckDB database.
type Adapter struct {
	db        *sql.DB
	connector *duckdb.Connector
	dialect   dialect.SQL
	conn      // statements on the pool

	locksMu sync.Mutex
	locks   map[string]chan struct{} // name -> 1-slot semaphore
}

var _ warehouse.Adapter = (*Adapter)(nil)

// Open opens (creating if needed) the database at opts.Path. Opening the
// same file twice in one process shares the instance (duckdb-go caches it);
// another process holding the file makes Open fail.
func Open(ctx context.Context, opts Options) (*Adapter, error) {
	if opts.Path != "" {
		if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
			return nil, fmt.Errorf("duckdb: create directory for %s: %w", opts.Path, err)
		}
	}
	// A file is attached under a fixed catalog name rather than opened
	// directly: DuckDB would name the catalog after the file, and a file
	// called like one of the project's schemas (cdw.duckdb with schema cdw)
	// makes every "cdw"."x" ambiguous between catalog and schema.
	init := []string{"SET TimeZone = 'UTC'"}
	if opts.Path != "" {
		init = append([]string{
			"ATTACH IF NOT EXISTS " + quoteLiteral(opts.Path) + " AS " + catalog,
			"USE " + catalog,
		}, init...)
	}
	connector, err := duckdb.NewConnector("", func(c driver.ExecerContext) error {
		for _, stmt := range init {
			if _, err := c.ExecContext(context.Background(), stmt, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %q: %w", opts.Path, err)
	}
	db := sql.OpenDB(connector)
	a := &Adapter{db: db, connector: connector, locks: map[string]chan struct{}{}}
	a.conn = conn{q: db, a: a}
	var version string
	if err := db.QueryRowContext(ctx, "select version()").Scan(&version); err != nil {
		_ = a.Close()
		if holder, ok := fileLockHolder(err); ok {
			return nil, &warehouse.BusyError{Resource: "DuckDB file " + opts.Path, Holder: holder, Err: err}
		}
		return nil, fmt.Errorf("duckdb: open %q: %w", opts.Path, err)
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(version, "v%d.%d.%d", &major, &minor, &patch); err != nil {
		_ = a.Close()
		return nil, fmt.Errorf("duckdb: unrecognised version %q", version)
	}
	a.dialect = dialect.DuckDB(major, minor)
	return a, nil
}

// Dialect returns the DuckDB dialect (it implements warehouse.Statements).
func (a *Adapter) Dialect() warehouse.Dialect { return a.dialect }

// DB exposes the pool for database/sql users (goose). Do not Close it.
func (a *Adapter) DB() *sql.DB { return a.db }

// Close closes the pool and the database. An in-memory database is gone
// afterwards.
func (a *Adapter) Close() error {
	return errors.Join(a.db.Close(), a.connector.Close())
}

// Lock takes an in-process lock per name: DuckDB allows one writing process
// per database file, so exclusion between goroutines of this process is all
// that is left to do. It waits until the lock is free or ctx ends. The
// returned unlock is idempotent.
func (a *Adapter) Lock(ctx context.Context, name string) (func(), error) {
	a.locksMu.Lock()
	sem, ok := a.locks[name]
	if !ok {
		sem = make(chan struct{}, 1)
		a.locks[name] = sem
	}
	a.locksMu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("duckdb: lock %q: %w", name, ctx.Err())
	}
	var once sync.Once
	return func() { once.Do(func() { <-sem }) }, nil
}

// conflictingLock matches DuckDB's error when another process holds the
// file: `Conflicting lock is held in /usr/bin/cdw (PID 4242)`.
var conflictingLock = regexp.MustCompile(`Conflicting lock is held in (.*?) \(PID (\d+)\)`)

// fileLockHolder tells whether err is DuckDB refusing a file another
// process holds, and names that process ("cdw pid 4242").
func fileLockHolder(err error) (string, bool) {
	if err == nil || !strings.Contains(err.Error(), "Could not set lock on file") {
		return "", false
	}
	m := conflictingLock.FindStringSubmatch(err.Error())
	if m == nil {
		return "", true
	}
	return fmt.Sprintf("%s pid %s", filepath.Base(m[1]), m[2]), true
}
