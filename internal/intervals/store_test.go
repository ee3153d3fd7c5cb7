package intervals_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/intervals"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func engines(t *testing.T) map[string]func(t *testing.T) warehouse.Adapter {
	return map[string]func(t *testing.T) warehouse.Adapter{
		"duckdb": func(t *testing.T) warehouse.Adapter {
			a, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(t.TempDir(), "w.duckdb")})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		},
		"postgres": func(t *testing.T) warehouse.Adapter {
			a, err := postgres.Open(context.Background(), postgres.Options{URL: testenv.PostgresURL(t), MaxConns: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		},
	}
}

func rowsOf(t *testing.T, a warehouse.Adapter, sql string) any {
	t.Helper()
	res, err := a.Query(context.Background(), sql, 1)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0]
}

func day(n int) time.Time { return time.Date(2024, 1, n, 0, 0, 0, 0, time.UTC) }

func TestStore(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := open(t)
			d := a.Dialect()
			s := intervals.Store{}
			// Concurrent first use by several models creates the table once.
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = s.Ensure(ctx, a) }()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if kind, ok, err := a.RelationKind(ctx, warehouse.Relation{Schema: "cdw_meta", Name: "intervals"}); err != nil || !ok || kind != warehouse.KindTable {
				t.Fatalf("state table: %v %v %v", kind, ok, err)
			}
			rel := warehouse.Relation{Schema: "analytics", Name: "daily"}
			other := warehouse.Relation{Schema: "analytics_dev", Name: "daily"}
			meta := intervals.Meta{ModelID: "model.daily", Unit: intervals.Day, InvocationID: "inv-1", ProcessedAt: time.Date(2024, 1, 8, 6, 0, 0, 0, time.UTC)}
			err := a.InTx(ctx, func(tx warehouse.Conn) error {
				return s.Record(ctx, tx, d, rel, meta,
					intervals.Entry{Interval: intervals.Interval{Start: day(1), End: day(4)}, Rows: 30},
					intervals.Entry{Interval: intervals.Interval{Start: day(5), End: day(6)}, Rows: -1})
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Record(ctx, a, d, other, meta, intervals.Entry{Interval: intervals.Interval{Start: day(1), End: day(9)}}); err != nil {
				t.Fatal(err)
			}
			// Recording the same interval again replaces its row.
			if err := s.Record(ctx, a, d, rel, meta, intervals.Entry{Interval: intervals.Interval{Start: day(5), End: day(6)}, Rows: 7}); err != nil {
				t.Fatal(err)
			}
			done, err := s.Done(ctx, a, d, rel)
			if err != nil {
				t.Fatal(err)
			}
			if got := intervals.Spans(done.Spans()); got != "[2024-01-01, 2024-01-04), [2024-01-05, 2024-01-06)" {
				t.Errorf("Done = %s", got)
			}
			res, err := a.Query(ctx, "select count(*), sum(rows_written) from cdw_meta.intervals where schema_name = 'analytics'", -1)
			if err != nil {
				t.Fatal(err)
			}
			if n := res.Rows[0][0]; n != int64(2) {
				t.Errorf("%v rows for analytics.daily, want 2 (the re-recorded batch replaced)", n)
			}
			// A rolled-back transaction records nothing.
			_ = a.InTx(ctx, func(tx warehouse.Conn) error {
				if err := s.Record(ctx, tx, d, rel, meta, intervals.Entry{Interval: intervals.Interval{Start: day(4), End: day(5)}}); err != nil {
					return err
				}
				return context.Canceled
			})
			if done, _ := s.Done(ctx, a, d, rel); done.Covers(intervals.Interval{Start: day(4), End: day(5)}) {
				t.Error("a rolled-back Record was kept")
			}
			// Models running in parallel record their batches concurrently.
			errs = make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := warehouse.Relation{Schema: "par", Name: fmt.Sprintf("m%d", i)}
					for k := 1; k <= 5 && errs[i] == nil; k++ {
						errs[i] = a.InTx(ctx, func(tx warehouse.Conn) error {
							if err := s.Record(ctx, tx, d, r, meta, intervals.Entry{Interval: intervals.Interval{Start: day(k), End: day(k + 1)}}); err != nil {
								return err
							}
							return s.Record(ctx, tx, d, r, meta, intervals.Entry{Interval: intervals.Interval{Start: day(k), End: day(k + 1)}, Rows: int64(k)})
						})
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("concurrent Record %d: %v", i, err)
				}
			}
			if n := rowsOf(t, a, "select count(*) from cdw_meta.intervals where schema_name = 'par'"); n != int64(30) {
				t.Errorf("%v rows recorded concurrently, want 30", n)
			}
			if err := s.Reset(ctx, a, d, rel); err != nil {
				t.Fatal(err)
			}
			if done, _ := s.Done(ctx, a, d, rel); len(done.Spans()) != 0 {
				t.Errorf("after Reset: %v", done.Spans())
			}
			if done, _ := s.Done(ctx, a, d, other); !done.Covers(intervals.Interval{Start: day(1), End: day(9)}) {
				t.Error("Reset of one table forgot another's intervals")
			}
		})
	}
}
