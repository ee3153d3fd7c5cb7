package warehouse

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The functions in this file materialize models on any Adapter. They are
// engine-neutral orchestration over the adapter's Dialect and Conn; engine
// specifics (e.g. PostgreSQL views that depend on a swapped table) are
// handled through the adapter.
//
// BuildView, BuildTable(With) and ApplyIncremental need the adapter's
// Dialect to implement Statements, and IncrementalStatements for the
// features listed on them; otherwise they return *Unsupported. Schema
// creation (BuildView, BuildTable(With)) happens when rel's schema is missing,
// retrying briefly when another goroutine or process creates the same
// schema at the same moment (DuckDB reports a write-write conflict,
// PostgreSQL a unique violation). Calls on different relations may run
// concurrently; calls on the same relation must not.
//
// Temporary relations are named <name>__cdw_new, __cdw_old, __cdw_delta and
// (the view write-audit-publish tests an incremental run against)
// __cdw_audit in rel's schema (shortened with a hash to the engine's
// identifier limit, see TempName). A leftover from an interrupted run is
// dropped first; after a failed audit the staged table (or delta) is kept
// for inspection until the next build (or incremental run) of the model.

// Suffixes of the temporary relations beside a model's relation.
const (
	SuffixNew   = "__cdw_new"
	SuffixOld   = "__cdw_old"
	SuffixDelta = "__cdw_delta"
)

// BuildView creates or replaces the view rel as query. Existing dependants
// keep working.
//
// An existing view is replaced in place (CREATE OR REPLACE). When that is
// refused — rel is a table, or on PostgreSQL the column list changed —
// the old relation is dropped and the view created in one transaction,
// recreating every view that depended on it (recursively); if one of them
// no longer fits, nothing changes and the error names that view.
func BuildView(ctx context.Context, a Adapter, rel Relation, query string) error {
	s, err := statements(a)
	if err != nil {
		return err
	}
	if err := ensureSchema(ctx, a, s, rel.Schema); err != nil {
		return fmt.Errorf("build view %s: %w", rel, err)
	}
	kind, exists, err := a.RelationKind(ctx, rel)
	if err != nil {
		return fmt.Errorf("build view %s: %w", rel, err)
	}
	if !exists || kind == KindView {
		err := a.Exec(ctx, s.CreateView(rel, query, exists))
		if err == nil {
			return nil
		}
		if !exists || ctx.Err() != nil {
			return fmt.Errorf("build view %s: %w", rel, err)
		}
	}
	err = a.InTx(ctx, func(tx Conn) error {
		return replaceKeepingDependants(ctx, tx, s, rel, func() error {
			if err := tx.Exec(ctx, s.Drop(rel, kind)); err != nil {
				return err
			}
			return tx.Exec(ctx, s.CreateView(rel, query, false))
		})
	})
	if err != nil {
		return fmt.Errorf("build view %s: %w", rel, err)
	}
	return nil
}

// BuildTable builds query into a new table beside rel and swaps it in inside
// one transaction: readers see the old table or the new one, never a missing
// or half-built one. It returns the number of rows in the new table.
//
// The new table is built as <name>__cdw_new outside the transaction; the
// transaction renames the live table to <name>__cdw_old, the new one to
// <name>, and drops the old one (a view of that name is dropped instead).
// Views depending on the live table are recreated on the new one in the
// same transaction (PostgreSQL); if the new table lacks a column one of
// them needs, the transaction fails, the old table stays live, the new
// one is dropped, and the error names the view.
func BuildTable(ctx context.Context, a Adapter, rel Relation, query string) (int64, error) {
	return BuildTableWith(ctx, a, rel, query, TableOptions{})
}

// TableOptions refine BuildTableWith; the zero value is BuildTable.
type TableOptions struct {
	// Window, if set, keeps only the query's rows whose Window.Column is in
	// the window (a microbatch model's full build).
	Window *Window
	// UniqueKey, if set, is checked on the new table before the swap:
	// duplicate keys (NULLs equal) fail the build, or with DedupeBy
	// collapse to the first row per key in that SQL order.
	UniqueKey []string
	DedupeBy  string
	// Audit, if set, runs on the new table before the swap. Its error stops
	// the build with an *AuditError: the live table is not touched and the
	// new table is kept as <name>__cdw_new for inspection.
	Audit AuditFunc
	// InTx, if set, runs inside the swap transaction after the swap, with
	// the new table's row count; its error rolls the swap back.
	InTx func(ctx context.Context, tx Conn, rows int64) error
}

// AuditFunc checks a staged relation before it is published; a non-nil
// error (typically listing the failing tests) keeps it unpublished.
type AuditFunc func(ctx context.Context, staged Relation) error

// AuditError reports a build or incremental run that an AuditFunc
// rejected. Relation was not changed.
type AuditError struct {
	Relation Relation
	// Kept, if not empty, is where the rejected rows were left.
	Kept Relation
	Err  error
}

func (e *AuditError) Error() string {
	msg := fmt.Sprintf("audit failed, %s was not changed: %v", e.Relation, e.Err)
	if e.Kept.Name != "" {
		msg += fmt.Sprintf(" (the rejected rows are in %s until the next run)", e.Kept)
	}
	return msg
}

func (e *AuditError) Unwrap() error { return e.Err }

// BuildTableWith is BuildTable with options: see TableOptions. Options that
// need more than Statements (Window, DedupeBy) return *Unsupported on
// dialects without IncrementalStatements.
func BuildTableWith(ctx context.Context, a Adapter, rel Relation, query string, opts TableOptions) (int64, error) {
	s, err := statements(a)
	if err != nil {
		return 0, err
	}
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("build table %s: %w", rel, err) }
	query, dedupe, err := stagingQuery(s, query, opts.Window, opts.UniqueKey, opts.DedupeBy)
	if err != nil {
		return fail(err)
	}
	if err := ensureSchema(ctx, a, s, rel.Schema); err != nil {
		return fail(err)
	}
	newRel := beside(rel, SuffixNew, s)
	oldRel := beside(rel, SuffixOld, s)
	if err := a.Exec(ctx, s.Drop(newRel, KindTable)); err != nil {
		return fail(fmt.Errorf("drop leftover %s: %w", newRel, err))
	}
	if err := a.Exec(ctx, s.CreateTableAs(newRel, query)); err != nil {
		return fail(err)
	}
	n, err := checkStaged(ctx, a, s, newRel, dedupe, opts.UniqueKey)
	if err == nil && opts.Audit != nil {
		if aerr := opts.Audit(ctx, newRel); aerr != nil {
			return fail(&AuditError{Relation: rel, Kept: newRel, Err: aerr})
		}
	}
	if err == nil {
		err = a.InTx(ctx, func(tx Conn) error {
			if err := swapIn(ctx, tx, s, rel, newRel, oldRel); err != nil {
				return err
			}
			if opts.InTx != nil {
				return opts.InTx(ctx, tx, n)
			}
			return nil
		})
	}
	if err != nil {
		dropQuietly(ctx, a, s, newRel)
		return fail(err)
	}
	return n, nil
}

// swapIn replaces rel (a table, a view or nothing) with newRel inside tx.
func swapIn(ctx context.Context, tx Conn, s Statements, rel, newRel, oldRel Relation) error {
	kind, exists, err := tx.RelationKind(ctx, rel)
	if err != nil {
		return err
	}
	if err := tx.Exec(ctx, s.Drop(oldRel, KindTable)); err != nil {
		return fmt.Errorf("drop leftover %s: %w", oldRel, err)
	}
	if !exists {
		return tx.Exec(ctx, s.Rename(newRel, KindTable, rel.Name))
	}
	return replaceKeepingDependants(ctx, tx, s, rel, func() error {
		if kind == KindView {
			if err := tx.Exec(ctx, s.Drop(rel, KindView)); err != nil {
				return err
			}
			return tx.Exec(ctx, s.Rename(newRel, KindTable, rel.Name))
		}
		for _, stmt := range []string{
			s.Rename(rel, KindTable, oldRel.Name),
			s.Rename(newRel, KindTable, rel.Name),
			s.Drop(oldRel, KindTable),
		} {
			if err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}

// stagingQuery applies the window and the dedupe to query. dedupe reports
// whether the staged table will carry RowNumberColumn.
func stagingQuery(s Statements, query string, w *Window, key []string, dedupeBy string) (string, bool, error) {
	if w == nil && dedupeBy == "" {
		return query, false, nil
	}
	is, ok := s.(IncrementalStatements)
	if !ok {
		return "", false, &Unsupported{Kind: "event_time windows and dedupe_by", Dialect: s.Name()}
	}
	if w != nil {
		if w.Column == "" || w.End.Before(w.Start) {
			return "", false, fmt.Errorf("invalid window %s [%s, %s)", w.Column, w.Start, w.End)
		}
		query = is.WindowQuery(query, *w)
	}
	if dedupeBy == "" {
		return query, false, nil
	}
	if len(key) == 0 {
		return "", false, errors.New("dedupe_by needs a unique key")
	}
	return is.DedupeQuery(query, key, dedupeBy), true, nil
}

// checkStaged finishes a staged table: drops the dedupe helper column,
// refuses duplicate keys, and returns its row count.
func checkStaged(ctx context.Context, a Adapter, s Statements, staged Relation, dedupe bool, key []string) (int64, error) {
	if dedupe {
		is := s.(IncrementalStatements) // stagingQuery checked
		if err := a.Exec(ctx, is.DropColumn(staged, RowNumberColumn)); err != nil {
			return 0, fmt.Errorf("drop %s from %s: %w", RowNumberColumn, staged, err)
		}
	}
	n, err := countRows(ctx, a, s, staged)
	if err != nil {
		return 0, err
	}
	if len(key) > 0 && !dedupe && n > 1 {
		cols, err := a.Columns(ctx, staged)
		if err != nil {
			return 0, err
		}
		spelledKey := make([]string, len(key))
		for i, k := range key {
			name, ok := spelledColumn(s, cols, k)
			if !ok {
				return 0, fmt.Errorf("unique key column %q is not in the model's columns", k)
			}
			spelledKey[i] = name
		}
		if err := refuseDuplicates(ctx, a, s, staged, spelledKey); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// replaceKeepingDependants drops every view that depends on rel (deepest
// first), runs replace, then recreates them in dependency order. It must
// run inside a transaction so a failure restores everything.
func replaceKeepingDependants(ctx context.Context, tx Conn, s Statements, rel Relation, replace func() error) error {
	deps, err := dependentViews(ctx, tx, s, rel)
	if err != nil {
		return err
	}
	for i := len(deps) - 1; i >= 0; i-- {
		if err := tx.Exec(ctx, s.DropCaptured(deps[i])); err != nil {
			return fmt.Errorf("drop dependent view %s: %w", deps[i].Relation, err)
		}
	}
	if err := replace(); err != nil {
		return err
	}
	for _, v := range deps {
		if err := tx.Exec(ctx, s.RecreateView(v)); err != nil {
			return fmt.Errorf("dependent view %s no longer fits the new %s: %w", v.Relation, rel, err)
		}
	}
	return nil
}

// dependentViews captures the definitions of views depending on rel, in
// recreation order; nil on engines that bind views by name. c must be a
// transaction: on dialects with a DependantsLocker it takes that lock
// first, which holds until c ends.
func dependentViews(ctx context.Context, c Conn, s Statements, rel Relation) ([]ViewDefinition, error) {
	q, args, ok := s.DependentViews(rel)
	if !ok {
		return nil, nil
	}
	if l, ok := s.(DependantsLocker); ok {
		if err := c.Exec(ctx, l.LockDependants()); err != nil {
			return nil, fmt.Errorf("lock dependent views of %s: %w", rel, err)
		}
	}
	res, err := c.Query(ctx, q, -1, args...)
	if err != nil {
		return nil, fmt.Errorf("list views depending on %s: %w", rel, err)
	}
	defs := make([]ViewDefinition, 0, len(res.Rows))
	for _, row := range res.Rows {
		if len(row) != 5 {
			return nil, fmt.Errorf("list views depending on %s: %d columns, want 5", rel, len(row))
		}
		schema, _ := row[0].(string)
		name, _ := row[1].(string)
		mat, _ := row[2].(bool)
		opts, _ := row[3].(string)
		def, _ := row[4].(string)
		if name == "" || def == "" {
			return nil, fmt.Errorf("list views depending on %s: unexpected row %v", rel, row)
		}
		defs = append(defs, ViewDefinition{
			Relation:     Relation{Schema: schema, Name: name},
			Materialized: mat,
			Options:      opts,
			Query:        def,
		})
	}
	return defs, nil
}

func statements(a Adapter) (Statements, error) {
	d := a.Dialect()
	s, ok := d.(Statements)
	if !ok {
		return nil, &Unsupported{Kind: "materialization", Dialect: d.Name()}
	}
	return s, nil
}

// ensureSchema creates schema unless it is empty or exists. Concurrent
// creators of one new schema conflict until the first commits (DuckDB:
// write-write conflict; PostgreSQL: unique violation), and on DuckDB an IF
// NOT EXISTS that meets another transaction's uncommitted creation does
// nothing, so it retries with backoff until the schema is visible.
func ensureSchema(ctx context.Context, a Adapter, s Statements, schema string) error {
	if schema == "" {
		return nil
	}
	probe, args := s.SchemaExists(schema)
	exists := func() (bool, error) {
		res, err := a.Query(ctx, probe, 1, args...)
		if err != nil {
			return false, err
		}
		return len(res.Rows) > 0, nil
	}
	var err error
	wait := 5 * time.Millisecond
	for attempt := 0; attempt < 8; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("create schema %s: %w", schema, errors.Join(ctx.Err(), err))
			case <-t.C:
			}
			wait *= 2
		}
		var ok bool
		if ok, err = exists(); err != nil || ok {
			if err != nil {
				continue
			}
			return nil
		}
		if err = a.Exec(ctx, s.CreateSchema(schema)); err != nil {
			continue
		}
		if ok, err = exists(); err == nil && !ok {
			err = errors.New("schema not visible after creation")
		}
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("create schema %s: %w", schema, err)
}

func countRows(ctx context.Context, c Conn, s Statements, rel Relation) (int64, error) {
	res, err := c.Query(ctx, s.CountRows(rel), 1)
	if err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", rel, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return 0, fmt.Errorf("count rows of %s: unexpected result shape", rel)
	}
	n, ok := res.Rows[0][0].(int64)
	if !ok {
		return 0, fmt.Errorf("count rows of %s: got %T, want int64", rel, res.Rows[0][0])
	}
	return n, nil
}

// dropQuietly removes a temporary table after a failure, even when ctx was
// cancelled; its own error is dropped because the original error matters.
func dropQuietly(ctx context.Context, a Adapter, s Statements, rel Relation) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	_ = a.Exec(ctx, s.Drop(rel, KindTable))
}

func beside(rel Relation, suffix string, s Statements) Relation {
	return Relation{Schema: rel.Schema, Name: TempName(rel.Name, suffix, s.MaxIdentifierLength())}
}

func hasColumn(s Statements, cols []Column, name string) bool {
	_, ok := spelledColumn(s, cols, name)
	return ok
}

// spelledColumn finds name among cols and returns it as cols spell it.
func spelledColumn(s Statements, cols []Column, name string) (string, bool) {
	for _, c := range cols {
		if s.SameIdentifier(c.Name, name) {
			return c.Name, true
		}
	}
	return "", false
}

// spelled finds name among cols and returns it as cols spell it.
func spelled(s Statements, cols []string, name string) (string, bool) {
	for _, c := range cols {
		if s.SameIdentifier(c, name) {
			return c, true
		}
	}
	return "", false
}
