// Package migrate applies the project's SQL migrations (the migrations
// folder, files named NNNNN_name.sql with "-- +goose Up" / "-- +goose Down"
// sections) to a warehouse, using goose v3's Provider API.
//
// Supported engines are PostgreSQL ("postgres"), DuckDB ("duckdb") and
// Redshift ("redshift", goose's redshift dialect).
// Applied versions are recorded in the table VersionTable (in the
// connection's current schema: "public" on PostgreSQL by default, "main" on
// DuckDB). Each migration runs in its own transaction together with its
// version-table row, so a failing migration leaves nothing of itself behind
// and every earlier migration stays applied.
//
// Locking: on PostgreSQL every operation holds goose's session-level
// advisory lock (id lock.DefaultLockID) for its duration, so concurrent
// migrators — in this process or others — never interleave; a waiting
// migrator polls once a second until the lock timeout (WithLockTimeout).
// DuckDB has no such lock: a DuckDB file is opened read-write by at most one
// process, and within a process one Migrator serialises its own calls, but
// two Migrators over the same DuckDB database must not run at the same time.
// Redshift has no advisory locks: there every operation holds LOCK on a
// table of cdw's own (cdw_meta.goose_migration_lock) in a transaction kept
// open on a dedicated connection, unless WithLock supplies another lock.
// WithLock replaces goose's advisory lock on PostgreSQL too.
//
// goose logs nothing unless WithLogger is given.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Engine names accepted by New.
const (
	EnginePostgres = "postgres"
	EngineDuckDB   = "duckdb"
	EngineRedshift = "redshift"
)

// VersionTable is the name of the table recording applied migrations (goose's
// default). It has the columns id, version_id, is_applied and tstamp, and
// always holds a row for version 0 once any operation has run.
const VersionTable = goose.DefaultTablename

// DefaultLockTimeout is how long a PostgreSQL migrator waits for another
// migrator's lock unless WithLockTimeout says otherwise.
const DefaultLockTimeout = 5 * time.Minute

// ErrNoAppliedMigrations is returned by Down when no migration is applied.
var ErrNoAppliedMigrations = errors.New("migrate: no applied migration to roll back")

// Direction says whether a migration was applied or rolled back.
type Direction string

// The two directions.
const (
	DirectionUp   Direction = "up"
	DirectionDown Direction = "down"
)

// Result describes one migration run by Up or Down.
type Result struct {
	Version   int64
	File      string // base name, e.g. "00002_raw_d0010_readings.sql"
	Direction Direction
	Duration  time.Duration
	// Empty is true when the migration had no statements in this direction;
	// its version was still recorded (up) or removed (down).
	Empty bool
}

// Status describes one migration file and whether it is applied.
type Status struct {
	Version int64
	File    string // base name
	Applied bool
	// AppliedAt is when the migration was applied, zero while pending. It is
	// the database's clock: on DuckDB a timestamptz; on PostgreSQL goose
	// records now() in a timestamp-without-time-zone column, so the value is
	// the server session's wall-clock time reported with the UTC location.
	AppliedAt time.Time
}

// MigrationError reports a migration that failed. Err carries the
// database's (or goose's parser's) message.
type MigrationError struct {
	Version   int64
	File      string // base name
	Direction Direction
	Err       error
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("migration %s failed (%s): %v", e.File, e.Direction, e.Err)
}

func (e *MigrationError) Unwrap() error { return e.Err }

// Option configures a Migrator.
type Option func(*config) error

type config struct {
	logger      *slog.Logger
	lockTimeout time.Duration
	lock        LockFunc
}

// LockFunc takes a lock that keeps migrators of one database apart and
// returns its release; warehouse.Adapter.Lock bound to a name fits.
type LockFunc func(ctx context.Context) (unlock func(), err error)

// WithLock makes every operation hold the lock fn takes, instead of
// goose's PostgreSQL advisory lock or the Redshift table lock.
func WithLock(fn LockFunc) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("lock func must not be nil")
		}
		c.lock = fn
		return nil
	}
}

// funcLocker adapts a LockFunc to goose's lock.Locker. goose calls Lock
// and Unlock in pairs, one operation at a time per Provider.
type funcLocker struct {
	fn     LockFunc
	unlock func()
}

func (l *funcLocker) Lock(ctx context.Context, _ *sql.DB) error {
	u, err := l.fn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	l.unlock = u
	return nil
}

func (l *funcLocker) Unlock(context.Context, *sql.DB) error {
	if l.unlock != nil {
		l.unlock()
		l.unlock = nil
	}
	return nil
}

// WithLogger makes goose log each migration and statement it runs to l (at
// Info level, with attribute logger=goose). Without it goose logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("logger must not be nil")
		}
		c.logger = l
		return nil
	}
}

// WithLockTimeout sets how long a PostgreSQL migrator waits for the
// migration lock held by another migrator before failing (rounded up to
// whole seconds; default DefaultLockTimeout). It has no effect on DuckDB.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("lock timeout must be positive, got %v", d)
		}
		c.lockTimeout = d
		return nil
	}
}

// Migrator runs the migrations found in one fs.FS against one database.
// Its methods are safe for concurrent use; calls on one Migrator run one at
// a time.
type Migrator struct {
	engine   string
	provider *goose.Provider
}

// New returns a Migrator for db, whose engine is EnginePostgres,
// EngineDuckDB or EngineRedshift. fsys holds the migration files at its root: files named
// NNNNN_name.sql (N > 0) are migrations, other files are ignored; Go
// migration files (NNNNN_name.go) are not supported and make New fail. New
// fails when there are no migrations or two files share a version. It does
// not touch the database: the version table is created by the first
// operation. db stays owned by the caller.
func New(db *sql.DB, engine string, fsys fs.FS, opts ...Option) (*Migrator, error) {
	if db == nil {
		return nil, errors.New("migrate: db must not be nil")
	}
	if fsys == nil {
		return nil, errors.New("migrate: migrations fs must not be nil")
	}
	cfg := config{lockTimeout: DefaultLockTimeout}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	gopts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if cfg.logger != nil {
		gopts = append(gopts, goose.WithVerbose(true), goose.WithSlog(cfg.logger))
	}
	var dialect goose.Dialect
	switch engine {
	case EnginePostgres, EngineRedshift:
		if cfg.lock != nil {
			dialect = goose.DialectPostgres
			if engine == EngineRedshift {
				dialect = goose.DialectRedshift
			}
			gopts = append(gopts, goose.WithLocker(&funcLocker{fn: cfg.lock}))
			break
		}
		if engine == EngineRedshift {
			dialect = goose.DialectRedshift
			gopts = append(gopts, goose.WithLocker(newTableLocker()))
			break
		}
		secs := uint64(math.Ceil(cfg.lockTimeout.Seconds()))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, secs))
		if err != nil {
			return nil, fmt.Errorf("migrate: postgres locker: %w", err)
		}
		dialect = goose.DialectPostgres
		gopts = append(gopts, goose.WithSessionLocker(locker))
	case EngineDuckDB:
		dialect = goose.DialectCustom
		gopts = append(gopts, goose.WithStore(newDuckDBStore(VersionTable)))
	default:
		return nil, fmt.Errorf("migrate: unsupported engine %q (supported: %q, %q, %q)", engine, EnginePostgres, EngineDuckDB, EngineRedshift)
	}
	if engine == EngineRedshift {
		fsys = redshiftFS{fsys}
	}
	p, err := goose.NewProvider(dialect, db, fsys, gopts...)
	if errors.Is(err, goose.ErrNoMigrations) {
		return nil, errors.New("migrate: no migration files (NNNNN_name.sql) found")
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Migrator{engine: engine, provider: p}, nil
}

// Engine returns the engine name given to New.
func (m *Migrator) Engine() string { return m.engine }

// Up applies every pending migration in version order and returns what it
// applied (empty, with a nil error, when nothing was pending). If a
// migration fails, Up stops: the returned results list the migrations
// applied before it, and the error is a *MigrationError naming the failed
// file. Up fails without applying anything when a pending migration has a
// lower version than one already applied (an out-of-order file).
func (m *Migrator) Up(ctx context.Context) ([]Result, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) {
			return results(pe.Applied), migrationError(pe)
		}
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	return results(res), nil
}

// Down rolls back the most recently applied migration. It returns
// ErrNoAppliedMigrations when none is applied, and a *MigrationError naming
// the file when the rollback fails (the migration then stays applied).
func (m *Migrator) Down(ctx context.Context) (*Result, error) {
	res, err := m.provider.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return nil, ErrNoAppliedMigrations
	}
	if err != nil {
		var pe *goose.PartialError
		if errors.As(err, &pe) {
			return nil, migrationError(pe)
		}
		if errors.Is(err, goose.ErrVersionNotFound) {
			return nil, fmt.Errorf("migrate down: the latest applied version has no migration file: %w", err)
		}
		return nil, fmt.Errorf("migrate down: %w", err)
	}
	r := result(res)
	return &r, nil
}

// Status lists every migration file in version order with whether it is
// applied. Versions recorded in the database without a file are not listed.
// It creates the version table if it does not exist yet.
func (m *Migrator) Status(ctx context.Context) ([]Status, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]Status, 0, len(st))
	for _, s := range st {
		out = append(out, Status{
			Version:   s.Source.Version,
			File:      path.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Version returns the highest applied migration version, 0 when none is
// applied. It creates the version table if it does not exist yet.
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	v, err := m.provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate version: %w", err)
	}
	return v, nil
}

func migrationError(pe *goose.PartialError) error {
	f := pe.Failed
	return &MigrationError{
		Version:   f.Source.Version,
		File:      path.Base(f.Source.Path),
		Direction: Direction(f.Direction),
		Err:       pe.Err,
	}
}

func result(r *goose.MigrationResult) Result {
	return Result{
		Version:   r.Source.Version,
		File:      path.Base(r.Source.Path),
		Direction: Direction(r.Direction),
		Duration:  r.Duration,
		Empty:     r.Empty,
	}
}

func results(rs []*goose.MigrationResult) []Result {
	out := make([]Result, 0, len(rs))
	for _, r := range rs {
		out = append(out, result(r))
	}
	return out
}
