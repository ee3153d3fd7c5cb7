// Package snapshot records the history of a relation as a type-2 slowly
// changing dimension (`cdw snapshot`): every version of every row, with
// the period it was current.
//
// A snapshot table holds the relation's columns followed by dbt's meta
// columns: dbt_scd_id (a hash of key and version start), dbt_updated_at,
// dbt_valid_from, dbt_valid_to (NULL while current) and, with
// hard_deletes: new_record, dbt_is_deleted. Strategies:
//
//   - timestamp: a row is a new version when its updated_at is later than
//     the current version's; the version starts at updated_at.
//   - check: a row is a new version when any check column differs
//     (null-safely) from the current version; it starts at the run time.
//
// Keys compare null-safely. A source with duplicate keys, or (timestamp) a
// NULL updated_at, is refused before anything changes. Source columns
// that appear later are added to the table; columns that disappear stay,
// NULL in later versions. Hard deletes: ignore (default) leaves the
// current version of a vanished key open; invalidate closes it at the run
// time; new_record closes it and adds a version flagged dbt_is_deleted.
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Spec is one snapshot run.
type Spec struct {
	// Relation is the snapshot table.
	Relation warehouse.Relation
	// Query selects the current state of the snapshotted relation.
	Query string
	// Strategy, UniqueKey, UpdatedAt, CheckCols/CheckAll and HardDeletes
	// are the snapshot's config (see config.SnapshotConfig).
	Strategy    string
	UniqueKey   []string
	UpdatedAt   string
	CheckCols   []string
	CheckAll    bool
	HardDeletes string
	// Now is the run's time: the start of check-strategy versions and the
	// end of versions closed by a hard delete. Stored as a timestamp (UTC
	// wall clock).
	Now time.Time
}

// Result counts what a run did.
type Result struct {
	// Created is true when the table was built for the first time.
	Created bool
	// New, Changed and Deleted count keys that appeared, changed, and
	// vanished (closed by a hard-delete policy other than ignore).
	New, Changed, Deleted int64
	// Rows is the table's row count after the run.
	Rows int64
}

// String says what happened: "created (12 rows)" or
// "2 new, 1 changed, 0 deleted (15 rows)".
func (r Result) String() string {
	if r.Created {
		return fmt.Sprintf("created with %d rows", r.Rows)
	}
	return fmt.Sprintf("%d new, %d changed, %d deleted (%d rows)", r.New, r.Changed, r.Deleted, r.Rows)
}

// Apply runs one snapshot: it stages the source rows beside the table,
// checks them, and then — in one transaction — adds new columns, closes
// changed and (per policy) deleted versions and inserts the new ones. On
// the first run the table is built from the staged rows with
// warehouse.BuildTable. On any error the table is unchanged and the
// scratch tables are dropped.
func Apply(ctx context.Context, a warehouse.Adapter, spec Spec) (Result, error) {
	fail := func(err error) (Result, error) { return Result{}, fmt.Errorf("snapshot %s: %w", spec.Relation, err) }
	if spec.HardDeletes == "" {
		spec.HardDeletes = config.HardDeletesIgnore
	}
	if err := spec.check(); err != nil {
		return fail(err)
	}
	s, err := ddl.Statements(a)
	if err != nil {
		return fail(err)
	}
	b := &builder{s: s, spec: spec, rel: spec.Relation,
		src: ddl.Beside(s, spec.Relation, suffixSource),
		chg: ddl.Beside(s, spec.Relation, suffixChanges),
		del: ddl.Beside(s, spec.Relation, suffixDeleted)}
	if err := ddl.EnsureSchema(ctx, a, spec.Relation.Schema); err != nil {
		return fail(err)
	}
	for _, r := range []warehouse.Relation{b.src, b.chg, b.del} {
		if err := a.Exec(ctx, s.Drop(r, warehouse.KindTable)); err != nil {
			return fail(fmt.Errorf("drop leftover %s: %w", r, err))
		}
		defer ddl.DropQuietly(ctx, a, s, r)
	}
	if err := a.Exec(ctx, s.CreateTableAs(b.src, spec.Query)); err != nil {
		return fail(fmt.Errorf("read the source: %w", err))
	}
	srcCols, err := a.Columns(ctx, b.src)
	if err != nil {
		return fail(err)
	}
	if err := b.resolveColumns(srcCols); err != nil {
		return fail(err)
	}
	if err := b.checkSource(ctx, a); err != nil {
		return fail(err)
	}
	kind, exists, err := a.RelationKind(ctx, spec.Relation)
	if err != nil {
		return fail(err)
	}
	if exists && kind != warehouse.KindTable {
		return fail(fmt.Errorf("%s is a %s, not a snapshot table", spec.Relation, kind))
	}
	if !exists {
		n, err := warehouse.BuildTable(ctx, a, spec.Relation, b.create())
		if err != nil {
			return fail(err)
		}
		return Result{Created: true, New: n, Rows: n}, nil
	}
	res, err := b.update(ctx, a, srcCols)
	if err != nil {
		return fail(err)
	}
	return res, nil
}

func (spec Spec) check() error {
	switch spec.Strategy {
	case config.SnapshotTimestamp:
		if spec.UpdatedAt == "" {
			return errors.New("strategy timestamp needs updated_at")
		}
	case config.SnapshotCheck:
		if len(spec.CheckCols) == 0 && !spec.CheckAll {
			return errors.New("strategy check needs check_cols")
		}
	default:
		return fmt.Errorf("unknown strategy %q (timestamp or check)", spec.Strategy)
	}
	switch spec.HardDeletes {
	case config.HardDeletesIgnore, config.HardDeletesInvalidate, config.HardDeletesNewRecord:
	default:
		return fmt.Errorf("unknown hard_deletes %q", spec.HardDeletes)
	}
	if len(spec.UniqueKey) == 0 {
		return errors.New("needs a unique_key")
	}
	return nil
}

// resolveColumns spells key, updated_at and check columns as the source
// does, and refuses a source that already has meta column names.
func (b *builder) resolveColumns(srcCols []warehouse.Column) error {
	names := make([]string, len(srcCols))
	for i, c := range srcCols {
		names[i] = c.Name
		if isMeta(c.Name) {
			return fmt.Errorf("the source has a column named %s, which snapshots add themselves", c.Name)
		}
	}
	b.cols = names
	find := func(what, name string) (string, error) {
		for _, n := range names {
			if b.s.SameIdentifier(n, name) {
				return n, nil
			}
		}
		return "", fmt.Errorf("%s %q is not a column of the source (columns: %s)", what, name, strings.Join(names, ", "))
	}
	var err error
	b.key = make([]string, len(b.spec.UniqueKey))
	for i, k := range b.spec.UniqueKey {
		if b.key[i], err = find("unique_key column", k); err != nil {
			return err
		}
	}
	if b.spec.Strategy == config.SnapshotTimestamp {
		if b.spec.UpdatedAt, err = find("updated_at", b.spec.UpdatedAt); err != nil {
			return err
		}
		return nil
	}
	if b.spec.CheckAll {
		for _, n := range names {
			if !containsFold(b.s, b.key, n) {
				b.compare = append(b.compare, n)
			}
		}
		return nil
	}
	b.compare = make([]string, len(b.spec.CheckCols))
	for i, c := range b.spec.CheckCols {
		if b.compare[i], err = find("check_cols column", c); err != nil {
			return err
		}
	}
	return nil
}

// checkSource refuses duplicate keys and (timestamp) NULL updated_at.
func (b *builder) checkSource(ctx context.Context, a warehouse.Adapter) error {
	res, err := a.Query(ctx, b.s.DuplicateKeys(b.src, b.key), 1)
	if err != nil {
		return fmt.Errorf("probe duplicate keys: %w", err)
	}
	if len(res.Rows) > 0 {
		row := res.Rows[0]
		parts := make([]string, len(b.key))
		for i, k := range b.key {
			v := "NULL"
			if row[i] != nil {
				v = fmt.Sprint(row[i])
			}
			parts[i] = k + "=" + v
		}
		return fmt.Errorf("the source holds duplicate unique keys, e.g. (%s) occurs %v times; the snapshot was not changed",
			strings.Join(parts, ", "), row[len(row)-1])
	}
	if b.spec.Strategy != config.SnapshotTimestamp {
		return nil
	}
	q := fmt.Sprintf("select %s from %s where %s is null", b.list("", b.key), b.s.QuoteRelation(b.src), b.q(b.spec.UpdatedAt))
	res, err = a.Query(ctx, q, 1)
	if err != nil {
		return err
	}
	if len(res.Rows) > 0 {
		return fmt.Errorf("updated_at %s is NULL for key %v: a version needs a start time; the snapshot was not changed", b.spec.UpdatedAt, res.Rows[0])
	}
	return nil
}

// update applies a run to an existing table in one transaction.
func (b *builder) update(ctx context.Context, a warehouse.Adapter, srcCols []warehouse.Column) (Result, error) {
	snapCols, err := a.Columns(ctx, b.rel)
	if err != nil {
		return Result{}, err
	}
	for _, m := range MetaColumns(b.spec.HardDeletes) {
		if !hasColumn(b.s, snapCols, m) {
			return Result{}, fmt.Errorf("%s has no %s column: it is not a snapshot table with hard_deletes %s (rebuild it, or restore the setting it was built with)",
				b.rel, m, b.spec.HardDeletes)
		}
	}
	var res Result
	err = a.InTx(ctx, func(tx warehouse.Conn) error {
		for _, c := range srcCols {
			if !hasColumn(b.s, snapCols, c.Name) {
				stmt := fmt.Sprintf("alter table %s add column %s %s", b.s.QuoteRelation(b.rel), b.q(c.Name), c.Type)
				if err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("add new column %s: %w", c.Name, err)
				}
				snapCols = append(snapCols, c)
			}
		}
		stmts := []string{b.changes()}
		if b.spec.HardDeletes != config.HardDeletesIgnore {
			stmts = append(stmts, b.deleted())
		}
		for _, stmt := range stmts {
			if err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		counts, err := tx.Query(ctx, fmt.Sprintf("select cdw_change, count(*) from %s group by cdw_change", b.s.QuoteRelation(b.chg)), -1)
		if err != nil {
			return err
		}
		for _, row := range counts.Rows {
			n := toInt(row[1])
			if row[0] == "new" {
				res.New = n
			} else {
				res.Changed = n
			}
		}
		stmts = []string{b.close(b.chg, "st."+b.q(ColValidFrom)), b.insertChanges()}
		if b.spec.HardDeletes != config.HardDeletesIgnore {
			n, err := tx.Query(ctx, b.s.CountRows(b.del), 1)
			if err != nil {
				return err
			}
			res.Deleted = toInt(n.Rows[0][0])
			stmts = append(stmts, b.close(b.del, b.now()))
			if b.spec.HardDeletes == config.HardDeletesNewRecord {
				names := make([]string, len(snapCols))
				for i, c := range snapCols {
					names[i] = c.Name
				}
				stmts = append(stmts, b.insertDeletions(names))
			}
		}
		for _, stmt := range stmts {
			if err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		n, err := tx.Query(ctx, b.s.CountRows(b.rel), 1)
		if err != nil {
			return err
		}
		res.Rows = toInt(n.Rows[0][0])
		return nil
	})
	return res, err
}

func hasColumn(s warehouse.Statements, cols []warehouse.Column, name string) bool {
	for _, c := range cols {
		if s.SameIdentifier(c.Name, name) {
			return true
		}
	}
	return false
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		var n int64
		fmt.Sscan(x, &n)
		return n
	}
	return 0
}
