// Package ddl holds the small pieces of DDL that cdw's seeds, snapshots
// and bookkeeping tables share on every engine: creating a schema safely
// when several runs may create it at once, creating a table from a column
// list, and dropping scratch tables after a failure. It builds SQL from the
// adapter's warehouse.Statements; it never interprets values.
package ddl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// MetaSchema is the schema cdw owns for its own bookkeeping in a
// warehouse (test history, stored test failures, deploy registries,
// locks). It is shared by every target of that warehouse, so tables in it
// either carry the target in their rows or in their names.
const MetaSchema = "cdw_meta"

// Statements returns the adapter's statement builder, or
// *warehouse.Unsupported when its dialect has none.
func Statements(a warehouse.Adapter) (warehouse.Statements, error) {
	d := a.Dialect()
	s, ok := d.(warehouse.Statements)
	if !ok {
		return nil, &warehouse.Unsupported{Kind: "DDL", Dialect: d.Name()}
	}
	return s, nil
}

// EnsureSchema creates schema unless it exists. Two runs creating the same
// new schema at once conflict on some engines (DuckDB: a write-write
// conflict; PostgreSQL: a unique violation) until one commits, so it
// probes, creates and probes again, backing off between attempts, until
// the schema is visible or ctx ends. An empty schema is a no-op.
func EnsureSchema(ctx context.Context, a warehouse.Adapter, schema string) error {
	if schema == "" {
		return nil
	}
	s, err := Statements(a)
	if err != nil {
		return err
	}
	probe, args := s.SchemaExists(schema)
	exists := func() (bool, error) {
		res, err := a.Query(ctx, probe, 1, args...)
		if err != nil {
			return false, err
		}
		return len(res.Rows) > 0, nil
	}
	wait := 5 * time.Millisecond
	var last error
	for attempt := 0; attempt < 8; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("create schema %s: %w", schema, errors.Join(ctx.Err(), last))
			case <-t.C:
			}
			wait *= 2
		}
		ok, err := exists()
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
			continue
		}
		if err := a.Exec(ctx, s.CreateSchema(schema)); err != nil {
			last = err
			continue
		}
		if ok, err := exists(); err == nil && ok {
			return nil
		} else if err != nil {
			last = err
		} else {
			last = errors.New("schema not visible after creation")
		}
	}
	return fmt.Errorf("create schema %s: %w", schema, last)
}

// Column is a column to create: a name and a SQL type as the engine
// spells it (e.g. "text", "bigint", "numeric(10,2)").
type Column struct {
	Name, Type string
}

// CreateTable returns "create table [if not exists] rel (...)" with every
// column name quoted and every type written verbatim.
func CreateTable(s warehouse.Statements, rel warehouse.Relation, cols []Column, ifNotExists bool) string {
	var b strings.Builder
	b.WriteString("create table ")
	if ifNotExists {
		b.WriteString("if not exists ")
	}
	b.WriteString(s.QuoteRelation(rel))
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.QuoteIdent(c.Name) + " " + c.Type)
	}
	b.WriteString(")")
	return b.String()
}

// Beside returns the scratch relation <rel.Name><suffix> in rel's schema,
// shortened to the engine's identifier limit (see warehouse.TempName).
func Beside(s warehouse.Statements, rel warehouse.Relation, suffix string) warehouse.Relation {
	return warehouse.Relation{Schema: rel.Schema, Name: warehouse.TempName(rel.Name, suffix, s.MaxIdentifierLength())}
}

// DropQuietly drops the table rel, even when ctx was cancelled, ignoring
// the error: it cleans up after a failure whose own error matters more.
func DropQuietly(ctx context.Context, a warehouse.Adapter, s warehouse.Statements, rel warehouse.Relation) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = a.Exec(ctx, s.Drop(rel, warehouse.KindTable))
}
