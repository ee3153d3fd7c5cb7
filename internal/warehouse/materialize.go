package warehouse

import "context"

// The functions in this file materialize models on any Adapter. They are
// engine-neutral orchestration over the adapter's Dialect and Conn; engine
// specifics (e.g. PostgreSQL views that depend on a swapped table) are
// handled through the adapter.

// BuildView creates or replaces the view rel as query. Existing dependants
// keep working.
func BuildView(ctx context.Context, a Adapter, rel Relation, query string) error {
	panic("TODO")
}

// BuildTable builds query into a new table beside rel and swaps it in inside
// one transaction: readers see the old table or the new one, never a missing
// or half-built one. It returns the number of rows in the new table.
func BuildTable(ctx context.Context, a Adapter, rel Relation, query string) (int64, error) {
	panic("TODO")
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
func ApplyIncremental(ctx context.Context, a Adapter, spec IncrementalSpec) (int64, error) {
	panic("TODO")
}
