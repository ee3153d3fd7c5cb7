package extract

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// State tables of unit extraction, created by the project's migrations.
const (
	CursorsTable  = "extract_cursors"  // one row per (extractor, unit, entity): the committed cursor
	FailuresTable = "extract_failures" // one row per failed (extractor, unit): attempts and last error
)

var (
	cursorStream = Stream{Table: CursorsTable, Columns: []Column{
		{"extractor", Text}, {"unit", Text}, {"entity", Text}, {"cursor", Text}, {"updated_at", TimestampTZ}, {"load_id", Text},
	}}
	failureStream = Stream{Table: FailuresTable, Columns: []Column{
		{"extractor", Text}, {"unit", Text}, {"attempts", Int64}, {"last_error", Text},
		{"first_failed_at", TimestampTZ}, {"last_failed_at", TimestampTZ}, {"load_id", Text},
	}}
)

// UnitStatus is what happened to one unit in a run.
type UnitStatus string

const (
	UnitCommitted   UnitStatus = "committed"   // its rows and cursors are in the warehouse
	UnitUnchanged   UnitStatus = "unchanged"   // fetched, nothing new: nothing written
	UnitFailed      UnitStatus = "failed"      // recorded in extract_failures; retried next run
	UnitInterrupted UnitStatus = "interrupted" // the run was cancelled before it finished; nothing kept
)

// UnitResult reports one unit.
type UnitResult struct {
	Unit     string
	Status   UnitStatus
	Rows     int64 // rows inserted
	Rejected int64 // records quarantined
	// Inserted counts the rows inserted per stream.
	Inserted map[string]int64
	// Attempts is, for a failed unit, how many runs have failed on it,
	// this one included.
	Attempts int64
	// Retried says the unit was added because an earlier run failed on it.
	Retried bool
	Err     error
}

// UnitEvent is sent to the observer as each unit finishes (in commit
// order, from one goroutine).
type UnitEvent struct {
	Result UnitResult
	Done   int // units finished so far, this one included
	Total  int
	Rows   int64 // rows inserted so far
}

// UnitReport is the outcome of a run.
type UnitReport struct {
	LoadID  string
	Results []UnitResult // in completion order
	// StreamRows counts rows inserted per stream.
	StreamRows map[string]int64
}

// Count returns how many units ended with status s.
func (r *UnitReport) Count(s UnitStatus) int {
	n := 0
	for _, u := range r.Results {
		if u.Status == s {
			n++
		}
	}
	return n
}

// Failed returns the failed units' results, ordered by unit.
func (r *UnitReport) Failed() []UnitResult {
	var out []UnitResult
	for _, u := range r.Results {
		if u.Status == UnitFailed {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i].Unit, out[j].Unit) })
	return out
}

// naturalLess orders numeric ids numerically ("9" < "10").
func naturalLess(a, b string) bool {
	if len(a) != len(b) && strings.Trim(a, "0123456789") == "" && strings.Trim(b, "0123456789") == "" {
		return len(a) < len(b)
	}
	return a < b
}

// UnitRunOptions configure one UnitRunner.Run.
type UnitRunOptions struct {
	// FullRefresh hands every unit FullRefresh (cursors ignored).
	FullRefresh bool
	// NoRetryFailed leaves out units that failed in earlier runs; by
	// default they are added to the run's units.
	NoRetryFailed bool
	// Observer, when set, receives an event per finished unit.
	Observer func(UnitEvent)
	// LoadID of the run (default: a new UUIDv7).
	LoadID string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// UnitRunner runs UnitExtractors: units are extracted Concurrency at a
// time and committed one at a time, each in its own transaction holding
// its deletes, rows, cursors and the clearing of its failure record.
type UnitRunner struct {
	adapter warehouse.Adapter
	schema  string
}

// NewUnitRunner returns a runner writing to schema (normally "raw").
func NewUnitRunner(a warehouse.Adapter, schema string) (*UnitRunner, error) {
	if a == nil || schema == "" {
		return nil, errors.New("extract: NewUnitRunner needs an adapter and a schema")
	}
	return &UnitRunner{adapter: a, schema: schema}, nil
}

func (r *UnitRunner) rel(table string) warehouse.Relation {
	return warehouse.Relation{Schema: r.schema, Name: table}
}

func (r *UnitRunner) quote(table string) string {
	return r.adapter.Dialect().QuoteRelation(r.rel(table))
}

// CheckTables verifies that e's raw tables and the state and quarantine
// tables exist with the columns they need.
func (r *UnitRunner) CheckTables(ctx context.Context, e UnitExtractor) error {
	return r.checkUnitStreams(ctx, append([]Stream{rejectionStream, cursorStream, failureStream}, e.Streams()...))
}

// job is one unit's extraction, handed from a worker to the committer.
type job struct {
	unit    Unit
	retried bool
	buf     *unitBuffer
	err     error
}

// Run extracts plan's units (plus earlier failures, unless told not to)
// with e's streams. Each unit is committed as soon as it is extracted, so
// an interrupted run keeps every unit finished before the interruption; a
// rerun resumes from the committed cursors and duplicates nothing.
//
// Results are returned even with an error. The error is for the tool
// failing (a warehouse error) or ctx ending; units that failed are results,
// not errors.
func (r *UnitRunner) Run(ctx context.Context, e UnitExtractor, plan UnitPlan, opts UnitRunOptions) (*UnitReport, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LoadID == "" {
		opts.LoadID = uuid.Must(uuid.NewV7()).String()
	}
	name := e.Name()
	rep := &UnitReport{LoadID: opts.LoadID, StreamRows: map[string]int64{}}
	failures, err := r.failures(ctx, name)
	if err != nil {
		return rep, err
	}
	units := plan.Units()
	retried := map[string]bool{}
	if !opts.NoRetryFailed {
		in := map[string]bool{}
		for _, u := range units {
			in[u] = true
		}
		var extra []string
		for u := range failures {
			if !in[u] {
				extra = append(extra, u)
				retried[u] = true
			}
		}
		sort.Slice(extra, func(i, j int) bool { return naturalLess(extra[i], extra[j]) })
		units = append(append([]string(nil), units...), extra...)
	}

	workers := max(1, plan.Concurrency())
	fetchCtx, stopFetching := context.WithCancel(ctx)
	defer stopFetching()
	todo := make(chan string)
	done := make(chan job, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for id := range todo {
				done <- r.extractOne(fetchCtx, e, plan, Unit{ID: id, LoadID: opts.LoadID, FullRefresh: opts.FullRefresh,
					FailedAttempts: failures[id], Now: opts.Now}, retried[id])
			}
		})
	}
	go func() {
		defer close(todo)
		for _, u := range units {
			select {
			case todo <- u:
			case <-fetchCtx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	// Commit what was extracted even after ctx ends: it was fetched, and
	// committing it is what makes an interrupted run resumable. Units
	// ready together are committed together (each still whole), which
	// spares engines with a high cost per statement.
	cctx := context.WithoutCancel(ctx)
	var fatal, abort error
	var rows int64
	for j := range done {
		group := []job{j}
	more:
		for len(group) < maxGroup {
			select {
			case k, ok := <-done:
				if !ok {
					break more
				}
				group = append(group, k)
			default:
				break more
			}
		}
		if fatal != nil {
			continue // drain
		}
		for _, g := range group {
			var ae *AbortError
			if errors.As(g.err, &ae) && abort == nil {
				abort = fmt.Errorf("%s: unit %s: %w (stopped; no unit is recorded as failed for it)", name, g.unit.ID, ae)
				stopFetching()
			}
		}
		results, err := r.commitGroup(cctx, name, group, opts)
		if err != nil {
			ids := make([]string, len(group))
			for i, g := range group {
				ids[i] = g.unit.ID
			}
			fatal = fmt.Errorf("%s: commit units %s: %w", name, strings.Join(ids, ", "), err)
			stopFetching()
			continue
		}
		for _, res := range results {
			rep.Results = append(rep.Results, res)
			rows += res.Rows
			for stream, n := range res.Inserted {
				rep.StreamRows[stream] += n
			}
			if opts.Observer != nil {
				opts.Observer(UnitEvent{Result: res, Done: len(rep.Results), Total: len(units), Rows: rows})
			}
		}
	}
	if fatal != nil {
		return rep, fatal
	}
	if abort != nil {
		return rep, abort
	}
	return rep, ctx.Err()
}

// maxGroup bounds the units committed in one transaction.
const maxGroup = 64

// extractOne runs the extractor on one unit with its committed cursors.
func (r *UnitRunner) extractOne(ctx context.Context, e UnitExtractor, plan UnitPlan, u Unit, retried bool) job {
	j := job{unit: u, retried: retried}
	if ctx.Err() != nil {
		j.err = ctx.Err()
		return j
	}
	cur, err := r.cursors(ctx, e.Name(), u.ID)
	if err != nil {
		j.err = cancelled(ctx, fmt.Errorf("read cursors: %w", err))
		return j
	}
	j.unit.Cursors = cur
	j.buf = newUnitBuffer(e.Streams())
	j.err = cancelled(ctx, plan.ExtractUnit(ctx, j.unit, j.buf))
	return j
}

// cancelled returns err marked as the run's cancellation when ctx is done:
// a driver interrupted mid-query (DuckDB's "INTERRUPT Error") or a request
// cut off says so in its own words, and the unit is then interrupted, not
// failed.
func cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || interrupted(err) {
		return err
	}
	return fmt.Errorf("%w: %v", ctx.Err(), err)
}

// interrupted reports whether a unit's error is the run being cancelled.
func interrupted(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// commitGroup writes the outcome of a group of units in one transaction:
// each successful unit's operations, quarantined records and cursors, the
// clearing of its failure record; each failed unit's quarantined records
// and failure record. Interrupted and unchanged units write nothing.
func (r *UnitRunner) commitGroup(ctx context.Context, name string, group []job, opts UnitRunOptions) ([]UnitResult, error) {
	at := opts.Now().UTC()
	results := make([]UnitResult, len(group))
	var ok, failed []int // indexes into group
	for i, j := range group {
		res := UnitResult{Unit: j.unit.ID, Retried: j.retried}
		switch {
		case j.err != nil && (interrupted(j.err) || errors.As(j.err, new(*AbortError))):
			res.Status = UnitInterrupted
		case j.err != nil:
			res.Status, res.Err, res.Attempts = UnitFailed, j.err, j.unit.FailedAttempts+1
			if j.buf != nil {
				res.Rejected = int64(len(j.buf.rejects))
			}
			failed = append(failed, i)
		case j.buf.empty():
			res.Status = UnitUnchanged
			if j.unit.FailedAttempts > 0 {
				ok = append(ok, i) // clear its failure record
			}
		default:
			res.Status, res.Rejected = UnitCommitted, int64(len(j.buf.rejects))
			ok = append(ok, i)
		}
		results[i] = res
	}
	if len(ok)+len(failed) == 0 {
		return results, nil
	}
	err := r.adapter.InTx(ctx, func(tx warehouse.Conn) error {
		bufs := make([]*unitBuffer, len(ok))
		for k, i := range ok {
			bufs[k] = group[i].buf
		}
		inserted, err := r.apply(ctx, tx, bufs)
		if err != nil {
			return err
		}
		var rejects []UnitRejection
		cursors := map[string]map[string]string{}
		cleared := make([]string, 0, len(ok))
		for k, i := range ok {
			results[i].Inserted = inserted[k]
			for _, n := range inserted[k] {
				results[i].Rows += n
			}
			rejects = append(rejects, group[i].buf.rejects...)
			cursors[group[i].unit.ID] = group[i].buf.cursors
			if group[i].unit.FailedAttempts > 0 {
				cleared = append(cleared, group[i].unit.ID)
			}
		}
		for _, i := range failed {
			if group[i].buf != nil {
				rejects = append(rejects, group[i].buf.rejects...)
			}
			if err := r.recordFailure(ctx, tx, name, group[i].unit.ID, group[i].err.Error(), opts.LoadID, at); err != nil {
				return err
			}
		}
		if err := r.quarantine(ctx, tx, name, opts.LoadID, at, rejects); err != nil {
			return err
		}
		if err := r.saveCursors(ctx, tx, name, cursors, opts.LoadID, at); err != nil {
			return err
		}
		return r.clearFailures(ctx, tx, name, cleared)
	})
	return results, err
}

// deleteChunk bounds the keys of one key delete.
const deleteChunk = 500

// Rows of a unit are inserted with multi-row INSERT statements up to
// bulkThreshold rows per stream, and through BulkLoad beyond: a unit is
// usually small, and the engines' bulk paths carry a fixed cost per call
// (the DuckDB appender looks the table up in the catalog each time).
const (
	bulkThreshold = 500
	maxParams     = 30000 // placeholders per INSERT (PostgreSQL allows 65535)
	maxInsertRows = 1000
)

// apply runs the operations of units with the effect of running each in
// the order it was made. Deletes only ever meet rows committed before this
// transaction (nothing is inserted until they have run), so they are
// merged into a few statements per table; a delete also drops the pending
// rows of the group it matches, as if they had been inserted before it;
// the surviving rows are inserted at the end, one batch per table. It
// returns the rows inserted per unit and stream.
func (r *UnitRunner) apply(ctx context.Context, tx warehouse.Conn, bufs []*unitBuffer) ([]map[string]int64, error) {
	inserted := make([]map[string]int64, len(bufs))
	for i := range inserted {
		inserted[i] = map[string]int64{}
	}
	if len(bufs) == 0 {
		return inserted, nil
	}
	streams := bufs[0].streams // one extractor: the same streams
	pending := map[string][]pendingRow{}
	deletes := map[string][]op{}
	var order []string // streams in first-use order
	seen := map[string]bool{}
	for u, b := range bufs {
		for _, o := range b.ops {
			if !seen[o.stream] {
				seen[o.stream] = true
				order = append(order, o.stream)
			}
			switch o.kind {
			case opRows:
				for _, row := range o.rows {
					pending[o.stream] = append(pending[o.stream], pendingRow{row: row, unit: u})
				}
			case opDelete, opDeleteKeys:
				pending[o.stream] = dropMatching(streams[o.stream], pending[o.stream], o)
				deletes[o.stream] = append(deletes[o.stream], o)
			}
		}
	}
	for _, stream := range order {
		if err := r.delete(ctx, tx, stream, deletes[stream]); err != nil {
			return nil, err
		}
	}
	for _, stream := range order {
		prs := pending[stream]
		if len(prs) == 0 {
			continue
		}
		rows := make([][]any, len(prs))
		for i, pr := range prs {
			rows[i] = pr.row
			inserted[pr.unit][stream]++
		}
		if err := r.insert(ctx, tx, streams[stream], rows); err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

// Merged deletes: at most this many conditions or placeholders in one statement.
const (
	maxDisjuncts   = 256
	maxDeleteParam = 4000
)

// delete runs deletes on one table as `delete ... where (c) or (c) ...`,
// key deletes with the same conditions merged into one key list.
func (r *UnitRunner) delete(ctx context.Context, tx warehouse.Conn, stream string, ops []op) error {
	ops = mergeKeyDeletes(ops)
	d := r.adapter.Dialect()
	head := "delete from " + d.QuoteRelation(r.rel(stream)) + " where "
	var parts []string
	var args []any
	flush := func() error {
		if len(parts) == 0 {
			return nil
		}
		err := tx.Exec(ctx, head+strings.Join(parts, " or "), args...)
		parts, args = parts[:0], args[:0]
		if err != nil {
			return fmt.Errorf("delete from %s: %w", r.rel(stream), err)
		}
		return nil
	}
	mark := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	conds := func(where []Cond) []string {
		out := make([]string, len(where))
		for i, c := range where {
			out[i] = d.QuoteIdent(c.Column) + " = " + mark(c.Value)
		}
		return out
	}
	for _, o := range ops {
		if o.kind == opDelete {
			parts = append(parts, "("+strings.Join(conds(o.where), " and ")+")")
		} else {
			for lo := 0; lo < len(o.keys); lo += deleteChunk {
				c := conds(o.where)
				keys := o.keys[lo:min(lo+deleteChunk, len(o.keys))]
				marks := make([]string, len(keys))
				for i, k := range keys {
					marks[i] = mark(k)
				}
				c = append(c, d.QuoteIdent(o.column)+" in ("+strings.Join(marks, ", ")+")")
				parts = append(parts, "("+strings.Join(c, " and ")+")")
				if len(args) >= maxDeleteParam {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if len(parts) >= maxDisjuncts || len(args) >= maxDeleteParam {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// mergeKeyDeletes joins key deletes that differ only in their keys.
func mergeKeyDeletes(ops []op) []op {
	out := make([]op, 0, len(ops))
	at := map[string]int{} // conditions and key column → index in out
	for _, o := range ops {
		if o.kind != opDeleteKeys {
			out = append(out, o)
			continue
		}
		sig := fmt.Sprintf("%s|%#v", o.column, o.where)
		if i, ok := at[sig]; ok {
			out[i].keys = append(out[i].keys, o.keys...)
			continue
		}
		at[sig] = len(out)
		o.keys = slices.Clone(o.keys)
		out = append(out, o)
	}
	return out
}

// pendingRow is a row not yet inserted, with the unit (index) it is of.
type pendingRow struct {
	row  []any
	unit int
}

// insert adds rows to a stream's table.
func (r *UnitRunner) insert(ctx context.Context, tx warehouse.Conn, st Stream, rows [][]any) error {
	rel := r.rel(st.Table)
	cols := columnNames(st)
	if len(rows) > bulkThreshold {
		if _, err := tx.BulkLoad(ctx, rel, cols, &sliceSource{rows: rows}); err != nil {
			return fmt.Errorf("load %s: %w", rel, err)
		}
		return nil
	}
	d := r.adapter.Dialect()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = d.QuoteIdent(c)
	}
	head := "insert into " + d.QuoteRelation(rel) + " (" + strings.Join(quoted, ", ") + ") values "
	per := max(1, min(maxInsertRows, maxParams/len(cols)))
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, row := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					sb.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&sb, "$%d", len(args))
			}
			sb.WriteByte(')')
		}
		if err := tx.Exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", rel, err)
		}
	}
	return nil
}

// dropMatching removes from rows (not yet inserted) those a delete
// matches, as if they had been inserted before it ran.
func dropMatching(st Stream, rows []pendingRow, o op) []pendingRow {
	if len(rows) == 0 {
		return rows
	}
	idx := func(name string) int {
		for i, c := range st.Columns {
			if c.Name == name {
				return i
			}
		}
		return -1 // unknown columns were refused when the op was made
	}
	var keys map[any]bool
	keyIdx := -1
	if o.kind == opDeleteKeys {
		keyIdx = idx(o.column)
		keys = make(map[any]bool, len(o.keys))
		for _, k := range o.keys {
			keys[normKey(k)] = true
		}
	}
	out := rows[:0]
	for _, pr := range rows {
		row := pr.row
		match := true
		for _, c := range o.where {
			if !sameValue(row[idx(c.Column)], c.Value) {
				match = false
				break
			}
		}
		if match && keyIdx >= 0 {
			match = keys[normKey(row[keyIdx])]
		}
		if !match {
			out = append(out, pr)
		}
	}
	return out
}

// sameValue is SQL equality of two column values as the sink holds them
// (NULL matches nothing).
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return normKey(a) == normKey(b)
}

// normKey makes a value usable as a map key (times by instant).
func normKey(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UnixNano()
	}
	return v
}
