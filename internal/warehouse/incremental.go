package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Incremental strategies ApplyIncremental knows.
const (
	StrategyAppend       = "append"
	StrategyMerge        = "merge"
	StrategyDeleteInsert = "delete+insert"
	StrategyMicrobatch   = "microbatch"
)

// on_schema_change modes ApplyIncremental knows ("" is ignore).
const (
	SchemaIgnore  = "ignore"
	SchemaFail    = "fail"
	SchemaAppend  = "append_new_columns"
	SchemaSyncAll = "sync_all_columns"
)

// IncrementalSpec describes one incremental run of a model whose relation
// already exists as a table.
type IncrementalSpec struct {
	Relation Relation
	// Query selects the new or changed rows (the model rendered with
	// is_incremental() true).
	Query string
	// Strategy is append, merge, delete+insert or microbatch.
	Strategy string
	// UniqueKey lists the key columns; required for merge and
	// delete+insert, optional otherwise (then only checked for
	// duplicates). Keys compare null-safely.
	UniqueKey []string
	// Window is the batch a microbatch run replaces (required for it, not
	// allowed otherwise): the table's rows with Window.Column in the window
	// are deleted and the delta's rows in the window inserted; delta rows
	// outside it (or with a NULL Column) are dropped, so a batch can never
	// write outside its window.
	Window *Window
	// OnSchemaChange is ignore (""), fail, append_new_columns or
	// sync_all_columns; see ApplyIncremental.
	OnSchemaChange string
	// DedupeBy, if set, collapses delta rows sharing a UniqueKey to the
	// first in this SQL order instead of refusing the delta.
	DedupeBy string
	// Audit, if set, runs on a view of what the table would hold after the
	// run (see IncrementalStatements.ProspectQuery) before anything is
	// changed; its error stops the run with an *AuditError.
	Audit AuditFunc
	// InTx, if set, runs inside the transaction that applies the delta,
	// after it, with the delta's row count; its error rolls the whole run
	// back.
	InTx func(ctx context.Context, tx Conn, rows int64) error
}

// ApplyIncremental stages the delta as <name>__cdw_delta, checks it, and
// applies it in one transaction. It returns the number of rows in the
// delta (after the window and dedupe).
//
// Checks, all before the table is touched: rel exists and is a table
// (missing wraps ErrRelationNotFound); the strategy is known; merge and
// delete+insert have a key; key columns are in both the table and the
// delta; no key occurs twice in the delta (NULLs equal; the message names
// one key and its count) unless DedupeBy; the schema change is allowed;
// the audit passes.
//
// Strategies: append inserts the delta. merge uses MERGE where the engine
// has it (matched rows get the delta's columns, others keep theirs), else
// delete + insert. delete+insert deletes the matched rows and inserts the
// delta, so matched rows are replaced whole. microbatch deletes the
// window and inserts the delta. Keys match with IS NOT DISTINCT FROM.
//
// on_schema_change, comparing column names and types: ignore writes the
// columns the table and delta share (table columns missing from the delta
// are NULL in inserted rows); fail refuses any difference, naming it;
// append_new_columns adds the delta's new columns to the table (existing
// rows get NULL) and keeps removed ones; sync_all_columns also drops the
// table's columns the delta lacks and changes the types of columns whose
// type changed (casting existing values). Schema changes run in the same
// transaction as the data, so a failed cast changes nothing; on PostgreSQL,
// views depending on the table are recreated around them.
//
// The delta is dropped in the same transaction, or after a failure —
// except after a failed audit, when it is kept for inspection.
func ApplyIncremental(ctx context.Context, a Adapter, spec IncrementalSpec) (int64, error) {
	rel := spec.Relation
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("incremental %s into %s: %w", spec.Strategy, rel, err)
	}
	if err := spec.validate(); err != nil {
		return fail(err)
	}
	s, err := statements(a)
	if err != nil {
		return 0, err
	}
	if spec.needsIncrementalStatements() {
		if _, ok := s.(IncrementalStatements); !ok {
			return 0, &Unsupported{Kind: "incremental " + spec.Strategy + " with on_schema_change, dedupe_by or audit", Dialect: s.Name()}
		}
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
	query, dedupe, err := stagingQuery(s, spec.Query, spec.Window, spec.UniqueKey, spec.DedupeBy)
	if err != nil {
		return fail(err)
	}
	delta := beside(rel, SuffixDelta, s)
	if err := a.Exec(ctx, s.Drop(delta, KindTable)); err != nil {
		return fail(fmt.Errorf("drop leftover %s: %w", delta, err))
	}
	if err := a.Exec(ctx, s.CreateTableAs(delta, query)); err != nil {
		return fail(err)
	}
	n, err := applyDelta(ctx, a, s, spec, delta, dedupe)
	if err != nil {
		var audit *AuditError
		if !errors.As(err, &audit) {
			dropQuietly(ctx, a, s, delta)
		}
		return fail(err)
	}
	return n, nil
}

func (spec IncrementalSpec) validate() error {
	switch spec.Strategy {
	case StrategyAppend:
	case StrategyMerge, StrategyDeleteInsert:
		if len(spec.UniqueKey) == 0 {
			return fmt.Errorf("%s needs a unique key", spec.Strategy)
		}
	case StrategyMicrobatch:
		if spec.Window == nil || spec.Window.Column == "" {
			return errors.New("microbatch needs a window with an event_time column")
		}
	default:
		return fmt.Errorf("unknown strategy %q (want append, merge, delete+insert or microbatch)", spec.Strategy)
	}
	if spec.Window != nil && spec.Strategy != StrategyMicrobatch {
		return fmt.Errorf("a window is only for microbatch, not %s", spec.Strategy)
	}
	switch spec.OnSchemaChange {
	case "", SchemaIgnore, SchemaFail, SchemaAppend, SchemaSyncAll:
	default:
		return fmt.Errorf("unknown on_schema_change %q", spec.OnSchemaChange)
	}
	if spec.DedupeBy != "" && len(spec.UniqueKey) == 0 {
		return errors.New("dedupe_by needs a unique key")
	}
	return nil
}

func (spec IncrementalSpec) needsIncrementalStatements() bool {
	return spec.Strategy == StrategyDeleteInsert || spec.Strategy == StrategyMicrobatch || spec.DedupeBy != "" ||
		spec.Audit != nil || (spec.OnSchemaChange != "" && spec.OnSchemaChange != SchemaIgnore)
}

// applyDelta checks the staged delta and applies it; the caller drops the
// delta when it fails (except after a failed audit).
func applyDelta(ctx context.Context, a Adapter, s Statements, spec IncrementalSpec, delta Relation, dedupe bool) (int64, error) {
	rel := spec.Relation
	n, err := checkStaged(ctx, a, s, delta, dedupe, nil)
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
	change := diffColumns(s, tableCols, deltaCols)
	mode := spec.OnSchemaChange
	if mode == "" {
		mode = SchemaIgnore
	}
	if mode == SchemaFail && !change.empty() {
		return 0, fmt.Errorf("on_schema_change: fail: the model's columns no longer match the table (%s); the table was not changed", change)
	}
	plan := change.plan(mode)
	cols := plan.written()
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
	if len(key) > 0 && n > 1 && !dedupe {
		if err := refuseDuplicates(ctx, a, s, delta, key); err != nil {
			return 0, err
		}
	}
	if spec.Audit != nil {
		if err := auditProspect(ctx, a, s.(IncrementalStatements), spec, delta, plan, key); err != nil {
			return 0, err
		}
	}
	// Keys compare null-safely; a delta without NULL keys can use plain
	// equality, which the engine hash-joins (see NonNullKeyStatements).
	nonNullKey := false
	if nk, ok := s.(NonNullKeyStatements); ok && len(key) > 0 && (spec.Strategy == StrategyMerge || spec.Strategy == StrategyDeleteInsert) {
		res, err := a.Query(ctx, nk.NullKeyProbe(delta, key), 1)
		if err != nil {
			return 0, fmt.Errorf("probe NULL keys: %w", err)
		}
		nonNullKey = len(res.Rows) == 0
	}
	schemaStmts := plan.statements(s, rel)
	dataStmts, err := strategyStatements(s, spec, delta, cols, key, nonNullKey)
	if err != nil {
		return 0, err
	}
	err = a.InTx(ctx, func(tx Conn) error {
		alter := func() error { return execAll(ctx, tx, schemaStmts) }
		if plan.rewritesColumns() {
			// Dropping or retyping a column a view uses fails on
			// PostgreSQL: recreate dependent views around the change.
			if err := replaceKeepingDependants(ctx, tx, s, rel, alter); err != nil {
				return fmt.Errorf("on_schema_change: %w", err)
			}
		} else if err := alter(); err != nil {
			return fmt.Errorf("on_schema_change: %w", err)
		}
		if err := execAll(ctx, tx, dataStmts); err != nil {
			return err
		}
		if spec.InTx != nil {
			if err := spec.InTx(ctx, tx, n); err != nil {
				return err
			}
		}
		return tx.Exec(ctx, s.Drop(delta, KindTable))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// strategyStatements are the statements that write the delta;
// nonNullKey says the delta has no NULL key (s is then a
// NonNullKeyStatements).
func strategyStatements(s Statements, spec IncrementalSpec, delta Relation, cols, key []string, nonNullKey bool) ([]string, error) {
	rel := spec.Relation
	switch spec.Strategy {
	case StrategyMerge:
		if nonNullKey {
			return s.(NonNullKeyStatements).MergeNonNullKey(rel, delta, cols, key)
		}
		return s.Merge(rel, delta, cols, key)
	case StrategyDeleteInsert:
		is := s.(IncrementalStatements)
		if nonNullKey {
			return []string{s.(NonNullKeyStatements).DeleteMatchingNonNullKey(rel, delta, key), s.InsertSelect(rel, cols, delta)}, nil
		}
		return []string{is.DeleteMatching(rel, delta, key), s.InsertSelect(rel, cols, delta)}, nil
	case StrategyMicrobatch:
		is := s.(IncrementalStatements)
		return []string{is.DeleteWhere(rel, WindowPredicate(s, *spec.Window)), s.InsertSelect(rel, cols, delta)}, nil
	default:
		return []string{s.InsertSelect(rel, cols, delta)}, nil
	}
}

// auditProspect runs the audit on a view of the table as it would be after
// the run, and drops the view again.
func auditProspect(ctx context.Context, a Adapter, is IncrementalStatements, spec IncrementalSpec, delta Relation, plan schemaPlan, key []string) error {
	rel := spec.Relation
	p := Prospect{Target: rel, Delta: delta, Columns: plan.prospect()}
	switch spec.Strategy {
	case StrategyMerge, StrategyDeleteInsert:
		p.Key = key
	case StrategyMicrobatch:
		p.Replace = WindowPredicate(is, *spec.Window)
	}
	view := beside(rel, SuffixAudit, is)
	if err := a.Exec(ctx, is.Drop(view, KindView)); err != nil {
		return fmt.Errorf("drop leftover %s: %w", view, err)
	}
	if err := a.Exec(ctx, is.CreateView(view, is.ProspectQuery(p), false)); err != nil {
		return fmt.Errorf("stage the audited result as %s: %w", view, err)
	}
	aerr := spec.Audit(ctx, view)
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	derr := a.Exec(dctx, is.Drop(view, KindView))
	if aerr != nil {
		return &AuditError{Relation: rel, Kept: delta, Err: aerr}
	}
	if derr != nil {
		return fmt.Errorf("drop %s: %w", view, derr)
	}
	return nil
}

func execAll(ctx context.Context, c Conn, stmts []string) error {
	for _, stmt := range stmts {
		if err := c.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// refuseDuplicates fails naming one key that occurs more than once.
func refuseDuplicates(ctx context.Context, a Adapter, s Statements, rel Relation, key []string) error {
	res, err := a.Query(ctx, s.DuplicateKeys(rel, key), 1)
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
	return fmt.Errorf("the rows hold duplicate unique keys, e.g. (%s) occurs %v times (set dedupe_by to keep one per key); the table was not changed",
		strings.Join(parts, ", "), row[len(row)-1])
}
