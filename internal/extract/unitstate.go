package extract

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// checkUnitStreams verifies that every stream's table exists with its
// columns (the unit runner's twin of Runner.CheckTables).
func (r *UnitRunner) checkUnitStreams(ctx context.Context, streams []Stream) error {
	for _, s := range streams {
		rel := r.rel(s.Table)
		cols, err := r.adapter.Columns(ctx, rel)
		if errors.Is(err, warehouse.ErrRelationNotFound) {
			return fmt.Errorf("table %s does not exist: run `cdw migrate up`", rel)
		}
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[strings.ToLower(c.Name)] = true
		}
		var missing []string
		for _, c := range s.Columns {
			if !have[c.Name] {
				missing = append(missing, c.Name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("table %s lacks column(s) %s: run `cdw migrate up`", rel, strings.Join(missing, ", "))
		}
	}
	return nil
}

// failures returns the failed units of extractor with their attempt counts.
func (r *UnitRunner) failures(ctx context.Context, extractor string) (map[string]int64, error) {
	res, err := r.adapter.Query(ctx, "select unit, attempts from "+r.quote(FailuresTable)+" where extractor = $1", -1, extractor)
	if err != nil {
		return nil, fmt.Errorf("read failed units: %w", err)
	}
	out := make(map[string]int64, len(res.Rows))
	for _, row := range res.Rows {
		u, _ := row[0].(string)
		n, _ := row[1].(int64)
		out[u] = n
	}
	return out, nil
}

// Failures lists the units of extractor recorded as failed, ordered by
// unit, with their attempts and last error: what the next run retries.
func (r *UnitRunner) Failures(ctx context.Context, extractor string) ([]UnitResult, error) {
	res, err := r.adapter.Query(ctx, "select unit, attempts, last_error from "+r.quote(FailuresTable)+" where extractor = $1", -1, extractor)
	if err != nil {
		return nil, fmt.Errorf("read failed units: %w", err)
	}
	out := make([]UnitResult, 0, len(res.Rows))
	for _, row := range res.Rows {
		u, _ := row[0].(string)
		n, _ := row[1].(int64)
		msg, _ := row[2].(string)
		out = append(out, UnitResult{Unit: u, Status: UnitFailed, Attempts: n, Err: errors.New(msg)})
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i].Unit, out[j].Unit) })
	return out, nil
}

// cursors returns a unit's committed cursors by entity.
func (r *UnitRunner) cursors(ctx context.Context, extractor, unit string) (map[string]string, error) {
	res, err := r.adapter.Query(ctx, "select entity, cursor from "+r.quote(CursorsTable)+" where extractor = $1 and unit = $2", -1, extractor, unit)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(res.Rows))
	for _, row := range res.Rows {
		e, _ := row[0].(string)
		c, _ := row[1].(string)
		out[e] = c
	}
	return out, nil
}

// saveCursors replaces the cursors of units (unit → entity → cursor).
func (r *UnitRunner) saveCursors(ctx context.Context, tx warehouse.Conn, extractor string, cursors map[string]map[string]string, loadID string, at time.Time) error {
	units := make([]string, 0, len(cursors))
	for u, c := range cursors {
		if len(c) > 0 {
			units = append(units, u)
		}
	}
	sort.Strings(units)
	var rows [][]any
	for _, u := range units {
		entities := make([]string, 0, len(cursors[u]))
		for e := range cursors[u] {
			entities = append(entities, e)
		}
		sort.Strings(entities)
		args := []any{extractor, u}
		marks := make([]string, len(entities))
		for i, e := range entities {
			args = append(args, e)
			marks[i] = fmt.Sprintf("$%d", len(args))
			rows = append(rows, []any{extractor, u, e, cursors[u][e], at, loadID})
		}
		if err := tx.Exec(ctx, "delete from "+r.quote(CursorsTable)+" where extractor = $1 and unit = $2 and entity in ("+strings.Join(marks, ", ")+")", args...); err != nil {
			return fmt.Errorf("save cursors: %w", err)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := r.insert(ctx, tx, cursorStream, rows); err != nil {
		return fmt.Errorf("save cursors: %w", err)
	}
	return nil
}

// clearFailures removes the failure records of units that succeeded.
func (r *UnitRunner) clearFailures(ctx context.Context, tx warehouse.Conn, extractor string, units []string) error {
	for lo := 0; lo < len(units); lo += deleteChunk {
		chunk := units[lo:min(lo+deleteChunk, len(units))]
		args := []any{extractor}
		marks := make([]string, len(chunk))
		for i, u := range chunk {
			args = append(args, u)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		if err := tx.Exec(ctx, "delete from "+r.quote(FailuresTable)+" where extractor = $1 and unit in ("+strings.Join(marks, ", ")+")", args...); err != nil {
			return fmt.Errorf("clear failures: %w", err)
		}
	}
	return nil
}

// recordFailure adds one to a unit's failed attempts and keeps its error.
func (r *UnitRunner) recordFailure(ctx context.Context, tx warehouse.Conn, extractor, unit, msg, loadID string, at time.Time) error {
	prev, err := tx.Query(ctx, "select attempts, first_failed_at from "+r.quote(FailuresTable)+" where extractor = $1 and unit = $2", 1, extractor, unit)
	if err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	attempts, first := int64(1), at
	if len(prev.Rows) > 0 {
		n, _ := prev.Rows[0][0].(int64)
		attempts = n + 1
		if t, ok := prev.Rows[0][1].(time.Time); ok {
			first = t
		}
		if err := tx.Exec(ctx, "delete from "+r.quote(FailuresTable)+" where extractor = $1 and unit = $2", extractor, unit); err != nil {
			return fmt.Errorf("record failure: %w", err)
		}
	}
	row := [][]any{{extractor, unit, attempts, msg, first, at, loadID}}
	if err := r.insert(ctx, tx, failureStream, row); err != nil {
		return fmt.Errorf("record failure: %w", err)
	}
	return nil
}

// quarantine stores a unit's rejected records in the rejections table.
func (r *UnitRunner) quarantine(ctx context.Context, tx warehouse.Conn, extractor, loadID string, at time.Time, rejects []UnitRejection) error {
	if len(rejects) == 0 {
		return nil
	}
	rows := make([][]any, len(rejects))
	for i, rj := range rejects {
		rows[i] = []any{loadID, extractor, rj.Source, rj.Line, rj.Raw, rj.Reason, at}
	}
	if err := r.insert(ctx, tx, rejectionStream, rows); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	return nil
}
