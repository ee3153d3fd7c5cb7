package intervals

import (
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// DefaultSchema is the schema of cdw's bookkeeping tables.
const DefaultSchema = "cdw_meta"

// TableName is the interval state table inside the bookkeeping schema.
const TableName = "intervals"

// columnsDDL is the state table: one row per processed batch (or, for a
// full build, one row for the whole range it covered), keyed by the
// model's table. Times are UTC.
const columnsDDL = `    schema_name    text      not null,
    table_name     text      not null,
    model_id       text      not null,
    batch_size     text      not null,
    interval_start timestamp not null,
    interval_end   timestamp not null,
    rows_written   bigint,
    invocation_id  text,
    processed_at   timestamp not null`

// Store reads and writes the interval state of one warehouse. The zero
// value uses DefaultSchema. It holds no connection; every method takes the
// Conn to use, so state can be written inside the transaction that writes
// the batch. Safe for concurrent use.
type Store struct {
	// Schema is the bookkeeping schema ("" = DefaultSchema).
	Schema string
}

// Relation is the state table.
func (s Store) Relation() warehouse.Relation {
	schema := s.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	return warehouse.Relation{Schema: schema, Name: TableName}
}

// Ensure creates the bookkeeping schema and the state table if they do not
// exist. Concurrent calls are safe.
func (s Store) Ensure(ctx context.Context, a warehouse.Adapter) error {
	if err := warehouse.EnsureTable(ctx, a, s.Relation(), columnsDDL); err != nil {
		return fmt.Errorf("interval state: %w", err)
	}
	return nil
}

// Done returns the processed intervals of the model table rel.
func (s Store) Done(ctx context.Context, c warehouse.Conn, d warehouse.Dialect, rel warehouse.Relation) (Set, error) {
	res, err := c.Query(ctx, "select interval_start, interval_end from "+d.QuoteRelation(s.Relation())+
		" where schema_name = $1 and table_name = $2 order by interval_start", -1, rel.Schema, rel.Name)
	if err != nil {
		return Set{}, fmt.Errorf("interval state of %s: %w", rel, err)
	}
	ivs := make([]Interval, 0, len(res.Rows))
	for _, row := range res.Rows {
		start, ok1 := row[0].(time.Time)
		end, ok2 := row[1].(time.Time)
		if !ok1 || !ok2 {
			return Set{}, fmt.Errorf("interval state of %s: unexpected row %v", rel, row)
		}
		ivs = append(ivs, Interval{Start: start.UTC(), End: end.UTC()})
	}
	return NewSet(ivs...), nil
}

// Entry is one processed batch (or range) to record.
type Entry struct {
	Interval
	Rows int64 // rows written; < 0 for unknown
}

// Meta is what every recorded entry carries.
type Meta struct {
	ModelID      string
	Unit         Unit
	InvocationID string
	ProcessedAt  time.Time
}

// Record stores entries for rel, replacing earlier rows for exactly the
// same intervals. Call it on the transaction that wrote the batches.
func (s Store) Record(ctx context.Context, c warehouse.Conn, d warehouse.Dialect, rel warehouse.Relation, meta Meta, entries ...Entry) error {
	table := d.QuoteRelation(s.Relation())
	for _, e := range entries {
		if err := c.Exec(ctx, "delete from "+table+
			" where schema_name = $1 and table_name = $2 and interval_start = $3 and interval_end = $4",
			rel.Schema, rel.Name, e.Start.UTC(), e.End.UTC()); err != nil {
			return fmt.Errorf("record interval %s of %s: %w", e.Interval, rel, err)
		}
		var rows any
		if e.Rows >= 0 {
			rows = e.Rows
		}
		if err := c.Exec(ctx, "insert into "+table+
			" (schema_name, table_name, model_id, batch_size, interval_start, interval_end, rows_written, invocation_id, processed_at)"+
			" values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			rel.Schema, rel.Name, meta.ModelID, string(meta.Unit), e.Start.UTC(), e.End.UTC(), rows, meta.InvocationID, meta.ProcessedAt.UTC()); err != nil {
			return fmt.Errorf("record interval %s of %s: %w", e.Interval, rel, err)
		}
	}
	return nil
}

// Reset forgets every interval of rel (its table is being rebuilt).
func (s Store) Reset(ctx context.Context, c warehouse.Conn, d warehouse.Dialect, rel warehouse.Relation) error {
	if err := c.Exec(ctx, "delete from "+d.QuoteRelation(s.Relation())+" where schema_name = $1 and table_name = $2",
		rel.Schema, rel.Name); err != nil {
		return fmt.Errorf("reset interval state of %s: %w", rel, err)
	}
	return nil
}
