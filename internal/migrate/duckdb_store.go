package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3/database"
)

// duckdbStore is goose's version-table store for DuckDB, which goose itself
// no longer supports. The table mirrors goose's PostgreSQL layout; ids come
// from a sequence named <table>_id_seq because DuckDB has no serial type.
// Every method runs on the connection or transaction goose hands it, so the
// version row is written in the same transaction as its migration.
type duckdbStore struct {
	table string
}

var _ database.StoreExtender = (*duckdbStore)(nil)

func newDuckDBStore(table string) *duckdbStore { return &duckdbStore{table: table} }

func (s *duckdbStore) Tablename() string { return s.table }

func (s *duckdbStore) seq() string { return s.table + "_id_seq" }

// CreateVersionTable creates the sequence (kept if left over from a dropped
// version table) and the table. goose calls it inside a transaction.
func (s *duckdbStore) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	stmts := []string{
		fmt.Sprintf(`create sequence if not exists %s start 1`, s.seq()),
		fmt.Sprintf(`create table %s (
	id          bigint primary key default nextval('%s'),
	version_id  bigint not null,
	is_applied  boolean not null,
	tstamp      timestamptz not null default current_timestamp
)`, s.table, s.seq()),
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create version table %s: %w", s.table, err)
		}
	}
	return nil
}

func (s *duckdbStore) Insert(ctx context.Context, db database.DBTxConn, req database.InsertRequest) error {
	q := fmt.Sprintf(`insert into %s (version_id, is_applied) values (?, ?)`, s.table)
	if _, err := db.ExecContext(ctx, q, req.Version, true); err != nil {
		return fmt.Errorf("insert version %d into %s: %w", req.Version, s.table, err)
	}
	return nil
}

func (s *duckdbStore) Delete(ctx context.Context, db database.DBTxConn, version int64) error {
	q := fmt.Sprintf(`delete from %s where version_id = ?`, s.table)
	if _, err := db.ExecContext(ctx, q, version); err != nil {
		return fmt.Errorf("delete version %d from %s: %w", version, s.table, err)
	}
	return nil
}

// GetMigration returns the latest row for version, or
// database.ErrVersionNotFound.
func (s *duckdbStore) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	q := fmt.Sprintf(`select tstamp, is_applied from %s where version_id = ? order by id desc limit 1`, s.table)
	var r database.GetMigrationResult
	err := db.QueryRowContext(ctx, q, version).Scan(&r.Timestamp, &r.IsApplied)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("version %d: %w", version, database.ErrVersionNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get version %d from %s: %w", version, s.table, err)
	}
	return &r, nil
}

// GetLatestVersion returns the highest recorded version, or
// database.ErrVersionNotFound when the table is empty.
func (s *duckdbStore) GetLatestVersion(ctx context.Context, db database.DBTxConn) (int64, error) {
	q := fmt.Sprintf(`select max(version_id) from %s`, s.table)
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return -1, fmt.Errorf("get latest version from %s: %w", s.table, err)
	}
	if !v.Valid {
		return -1, fmt.Errorf("latest version: %w", database.ErrVersionNotFound)
	}
	return v.Int64, nil
}

// ListMigrations returns all rows, most recently inserted first.
func (s *duckdbStore) ListMigrations(ctx context.Context, db database.DBTxConn) ([]*database.ListMigrationsResult, error) {
	q := fmt.Sprintf(`select version_id, is_applied from %s order by id desc`, s.table)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list versions from %s: %w", s.table, err)
	}
	defer rows.Close()
	var out []*database.ListMigrationsResult
	for rows.Next() {
		var r database.ListMigrationsResult
		if err := rows.Scan(&r.Version, &r.IsApplied); err != nil {
			return nil, fmt.Errorf("scan version row from %s: %w", s.table, err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions from %s: %w", s.table, err)
	}
	return out, nil
}

// TableExists reports whether the version table exists in the connection's
// current database and schema.
func (s *duckdbStore) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	const q = `select count(*) > 0 from information_schema.tables
where table_catalog = current_database() and table_schema = current_schema() and table_name = ?`
	var exists bool
	if err := db.QueryRowContext(ctx, q, s.table).Scan(&exists); err != nil {
		return false, fmt.Errorf("check version table %s: %w", s.table, err)
	}
	return exists, nil
}
