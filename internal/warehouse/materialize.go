package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The functions in this file materialize models on any Adapter. They are
// engine-neutral orchestration over the adapter's Dialect and Conn; engine
// specifics (e.g. PostgreSQL views that depend on a swapped table) are
// handled through the adapter.
//
// All three need the adapter's Dialect to implement Statements; otherwise
// they return *Unsupported. They create rel's schema when it is missing,
// retrying briefly when another goroutine or process creates the same
// schema at the same moment (DuckDB reports a write-write conflict,
// PostgreSQL a unique violation). Calls on different relations may run
// concurrently; calls on the same relation must not.
//
// Temporary relations are named <name>__cdw_new, __cdw_old and __cdw_delta
// in rel's schema (shortened with a hash to the engine's identifier limit,
// see TempName). A leftover from an interrupted run is dropped first.

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
	s, err := statements(a)
	if err != nil {
		return 0, err
	}
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("build table %s: %w", rel, err) }
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
	n, err := countRows(ctx, a, s, newRel)
	if err == nil {
		err = a.InTx(ctx, func(tx Conn) error {
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
		})
	}
	if err != nil {
		dropQuietly(ctx, a, s, newRel)
		return fail(err)
	}
	return n, nil
}

// IncrementalSpec describes one incremental run of a model whose relation
// already exists as a table.
type IncrementalSpec struct {
	Relation Relation
	// Query selects the new or changed rows (the model rendered with
	// is_incremental() true).
	Query string
	// Strategy is "append" or "merge".
	Strategy string
	// UniqueKey lists the key columns for "merge"; keys compare null-safely.
	UniqueKey []string
}

// ApplyIncremental stages the delta, refuses it when UniqueKey is set and the
// delta holds duplicate keys, then appends or merges it in one transaction.
// Columns of the delta that the table lacks are ignored. It returns the
// number of rows in the delta.
//
// The delta is staged as the table <name>__cdw_delta and dropped inside the
// same transaction (or, on failure, afterwards). Errors: rel missing wraps
// ErrRelationNotFound; rel a view, an unknown strategy, "merge" without a
// key, a key column missing from the table or the delta, and duplicate keys
// in the delta (the message names one key and its count) all fail before the
// table is touched. "merge" uses MERGE where the engine has it, else delete
// + insert; either way keys match with IS NOT DISTINCT FROM, so NULL keys
// match NULL keys. Table columns missing from the delta are NULL in
// inserted rows; in matched rows MERGE leaves them unchanged, while delete
// + insert (engines without MERGE) replaces the row whole, so they become
// NULL.
func ApplyIncremental(ctx context.Context, a Adapter, spec IncrementalSpec) (int64, error) {
	rel := spec.Relation
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("incremental %s into %s: %w", spec.Strategy, rel, err)
	}
	switch spec.Strategy {
	case "append":
	case "merge":
		if len(spec.UniqueKey) == 0 {
			return fail(errors.New("merge needs a unique key"))
		}
	default:
		return fail(fmt.Errorf("unknown strategy %q (want append or merge)", spec.Strategy))
	}
	s, err := statements(a)
	if err != nil {
		return 0, err
	}
	kind, exists, err := a.RelationKind(ctx, rel)
	if err != nil {
		return fail(err)
	}
	if !exists {
		return fail(ErrRelationNotFound)
	}
	if kind != KindTable {
		return fail(fmt.Errorf("%s is a %s, not a table", rel, kind))
	}
	delta := beside(rel, SuffixDelta, s)
	if err := a.Exec(ctx, s.Drop(delta, KindTable)); err != nil {
		return fail(fmt.Errorf("drop leftover %s: %w", delta, err))
	}
	if err := a.Exec(ctx, s.CreateTableAs(delta, spec.Query)); err != nil {
		return fail(err)
	}
	n, err := applyDelta(ctx, a, s, spec, delta)
	if err != nil {
		dropQuietly(ctx, a, s, delta)
		return fail(err)
	}
	return n, nil
}

// applyDelta checks the staged delta and applies it; the caller drops the
// delta when it fails.
func applyDelta(ctx context.Context, a Adapter, s Statements, spec IncrementalSpec, delta Relation) (int64, error) {
	rel := spec.Relation
	n, err := countRows(ctx, a, s, delta)
	if err != nil {
		return 0, err
	}
	tableCols, err := a.Columns(ctx, rel)
	if err != nil {
		return 0, err
	}
	deltaCols, err := a.Columns(ctx, delta)
	if err != nil {
		return 0, err
	}
	var cols []string
	for _, tc := range tableCols {
		if hasColumn(s, deltaCols, tc.Name) {
			cols = append(cols, tc.Name)
		}
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("the delta shares no column with %s", rel)
	}
	key := make([]string, len(spec.UniqueKey))
	for i, k := range spec.UniqueKey {
		name, ok := spelled(s, cols, k)
		if !ok {
			return 0, fmt.Errorf("unique key column %q is not in both %s and the delta", k, rel)
		}
		key[i] = name
	}
	if len(key) > 0 && n > 1 {
		if err := refuseDuplicates(ctx, a, s, delta, key); err != nil {
			return 0, err
		}
	}
	var stmts []string
	if spec.Strategy == "merge" {
		if stmts, err = s.Merge(rel, delta, cols, key); err != nil {
			return 0, err
		}
	} else {
		stmts = []string{s.InsertSelect(rel, cols, delta)}
	}
	stmts = append(stmts, s.Drop(delta, KindTable))
	err = a.InTx(ctx, func(tx Conn) error {
		for _, stmt := range stmts {
			if err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// refuseDuplicates fails naming one key that occurs more than once.
func refuseDuplicates(ctx context.Context, a Adapter, s Statements, delta Relation, key []string) error {
	res, err := a.Query(ctx, s.DuplicateKeys(delta, key), 1)
	if err != nil {
		return fmt.Errorf("probe duplicate keys: %w", err)
	}
	if len(res.Rows) == 0 {
		return nil
	}
	row := res.Rows[0]
	parts := make([]string, len(key))
	for i, k := range key {
		v := "NULL"
		if i < len(row) && row[i] != nil {
			v = fmt.Sprint(row[i])
		}
		parts[i] = k + "=" + v
	}
	return fmt.Errorf("the delta holds duplicate unique keys, e.g. (%s) occurs %v times; the table was not changed",
		strings.Join(parts, ", "), row[len(row)-1])
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
// recreation order; nil on engines that bind views by name.
func dependentViews(ctx context.Context, c Conn, s Statements, rel Relation) ([]ViewDefinition, error) {
	q, args, ok := s.DependentViews(rel)
	if !ok {
		return nil, nil
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
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = a.Exec(ctx, s.Drop(rel, KindTable))
}

func beside(rel Relation, suffix string, s Statements) Relation {
	return Relation{Schema: rel.Schema, Name: TempName(rel.Name, suffix, s.MaxIdentifierLength())}
}

func hasColumn(s Statements, cols []Column, name string) bool {
	for _, c := range cols {
		if s.SameIdentifier(c.Name, name) {
			return true
		}
	}
	return false
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
