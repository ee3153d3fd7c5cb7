package warehouse

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EnsureTable creates the table rel (and its schema) from the column
// definitions columnsDDL (the text between the parentheses of CREATE
// TABLE) unless it exists. It is meant for cdw's own bookkeeping tables,
// created on first use. Concurrent callers creating the same table are
// safe: a conflicting creation is retried until the table is visible.
func EnsureTable(ctx context.Context, a Adapter, rel Relation, columnsDDL string) error {
	s, err := statements(a)
	if err != nil {
		return err
	}
	if err := ensureSchema(ctx, a, s, rel.Schema); err != nil {
		return err
	}
	wait := 5 * time.Millisecond
	for attempt := 0; ; attempt++ {
		kind, ok, err := a.RelationKind(ctx, rel)
		if err == nil && ok {
			if kind != KindTable {
				return fmt.Errorf("%s exists but is a %s, not cdw's table", rel, kind)
			}
			return nil
		}
		if err == nil {
			err = a.Exec(ctx, "create table if not exists "+s.QuoteRelation(rel)+" (\n"+columnsDDL+"\n)")
		}
		if err == nil {
			if _, ok, err = a.RelationKind(ctx, rel); err == nil && ok {
				continue // checked again above
			}
			if err == nil {
				err = errors.New("table not visible after creation")
			}
		}
		if attempt >= 7 {
			return fmt.Errorf("create %s: %w", rel, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("create %s: %w", rel, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
		wait *= 2
	}
}
