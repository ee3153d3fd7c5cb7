// Package warehousetest is the conformance suite every warehouse.Adapter
// passes. Engine packages call Run from their tests with a function that
// opens a fresh, empty warehouse for each subtest.
package warehousetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London without relying on the host's zoneinfo

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Run runs every conformance test against adapters made by open. open must
// return an adapter on an empty database of its own and arrange (t.Cleanup)
// for it to be closed; it is called once per subtest.
func Run(t *testing.T, open func(t *testing.T) warehouse.Adapter) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, a warehouse.Adapter)
	}{
		{"ExecAndQuery", testExecAndQuery},
		{"DBSharesThePool", testDB},
		{"QueryNormalizesValues", testQueryNormalizesValues},
		{"ColumnsAndRelationKind", testColumnsAndRelationKind},
		{"InTxCommitAndRollback", testInTx},
		{"BulkLoadEveryType", testBulkLoadEveryType},
		{"BulkLoadColumnSubset", testBulkLoadColumnSubset},
		{"BulkLoadRejectsBadInputAtomically", testBulkLoadRejects},
		{"BulkLoadStreamsManyRows", testBulkLoadMany},
		{"AwkwardIdentifiers", testAwkwardIdentifiers},
		{"BuildViewReplacesWithNewColumns", testBuildViewReplace},
		{"BuildViewOverTable", testBuildViewOverTable},
		{"BuildTableSwapUnderConcurrentReader", testSwapUnderReader},
		{"BuildTableKeepsDependentViews", testDependentViews},
		{"BuildTableLongName", testLongName},
		{"ConcurrentBuildsOfDifferentRelations", testConcurrentBuilds},
		{"ApplyIncrementalAppend", testIncrementalAppend},
		{"ApplyIncrementalMergeNullSafe", testIncrementalMerge},
		{"ApplyIncrementalRefusesDuplicateKeys", testIncrementalDuplicates},
		{"ApplyIncrementalErrors", testIncrementalErrors},
		{"ApplyIncrementalDeleteInsert", testIncrementalDeleteInsert},
		{"ApplyIncrementalMicrobatchWindow", testIncrementalMicrobatch},
		{"OnSchemaChange", testOnSchemaChange},
		{"OnSchemaChangeDependentViews", testOnSchemaChangeDependentViews},
		{"DedupeBy", testDedupeBy},
		{"WriteAuditPublish", testWriteAuditPublish},
		{"InTxRollsBack", testInTxRollsBack},
		{"LockExcludesSecondLocker", testLock},
		{"RawMigrationTablesLoad", testRawTables},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func statementsOf(t *testing.T, a warehouse.Adapter) warehouse.Statements {
	t.Helper()
	s, ok := a.Dialect().(warehouse.Statements)
	if !ok {
		t.Fatalf("dialect %s does not implement warehouse.Statements", a.Dialect().Name())
	}
	return s
}

func exec(t *testing.T, c warehouse.Conn, sql string, args ...any) {
	t.Helper()
	if err := c.Exec(ctxFor(t), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

func query(t *testing.T, c warehouse.Conn, sql string, args ...any) [][]any {
	t.Helper()
	res, err := c.Query(ctxFor(t), sql, -1, args...)
	if err != nil {
		t.Fatalf("query %q: %v", sql, err)
	}
	return res.Rows
}

func count(t *testing.T, c warehouse.Conn, rel string) int64 {
	t.Helper()
	rows := query(t, c, "select count(*) from "+rel)
	n, ok := rows[0][0].(int64)
	if !ok {
		t.Fatalf("count(*) from %s returned %T, want int64", rel, rows[0][0])
	}
	return n
}

// render prints rows in a stable, comparable form, sorted.
func render(rows [][]any) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case nil:
				parts[j] = "NULL"
			case time.Time:
				parts[j] = x.Format(time.RFC3339Nano) + "@" + x.Location().String()
			default:
				parts[j] = fmt.Sprintf("%T:%v", v, v)
			}
		}
		lines[i] = strings.Join(parts, " | ")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// rowsSource is a RowSource over fixed rows.
type rowsSource struct {
	rows [][]any
	i    int
	err  error // reported after the rows
}

func (s *rowsSource) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *rowsSource) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *rowsSource) Err() error             { return s.err }

// genSource generates n rows lazily into one reused slice, as an extractor
// would, so memory stays flat however large n is.
type genSource struct {
	n, i int64
	row  []any
	gen  func(i int64, row []any)
	// onRow, if set, runs before row i is produced.
	onRow func(i int64)
}

func (s *genSource) Next() bool {
	if s.i >= s.n {
		return false
	}
	s.i++
	if s.onRow != nil {
		s.onRow(s.i)
	}
	s.gen(s.i, s.row)
	return true
}
func (s *genSource) Values() ([]any, error) { return s.row, nil }
func (s *genSource) Err() error             { return nil }

// readingRows generates narrow meter-reading rows: (mpan_core text,
// register_id text, read_at timestamp, reading_value double).
func readingRows(n int64) *genSource {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	mpans := []string{"1200023305967", "1900091178131", "2000055486314"}
	return &genSource{n: n, row: make([]any, 4), gen: func(i int64, row []any) {
		row[0] = mpans[i%int64(len(mpans))]
		row[1] = "01"
		row[2] = base.Add(time.Duration(i) * 30 * time.Minute)
		row[3] = float64(i) * 0.5
	}}
}

// ReadingsDDL creates the narrow readings table BenchBulkLoad loads.
const ReadingsDDL = `create table readings (
    mpan_core text not null,
    register_id text not null,
    read_at timestamp not null,
    reading_value double precision not null
)`

// BenchBulkLoad loads b.N batches of rows narrow reading rows into a
// fresh readings table of a (created with ReadingsDDL) and reports rows/s.
func BenchBulkLoad(b *testing.B, a warehouse.Adapter, rows int64) {
	ctx := context.Background()
	if err := a.Exec(ctx, ReadingsDDL); err != nil {
		b.Fatal(err)
	}
	cols := []string{"mpan_core", "register_id", "read_at", "reading_value"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := a.BulkLoad(ctx, warehouse.Relation{Name: "readings"}, cols, readingRows(rows))
		if err != nil {
			b.Fatal(err)
		}
		if n != rows {
			b.Fatalf("loaded %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows*int64(b.N))/b.Elapsed().Seconds(), "rows/s")
}
