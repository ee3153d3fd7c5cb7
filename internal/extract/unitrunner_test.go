package extract_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// fakeAPI is a UnitExtractor over an in-memory "API": unit u has
// items[u] (key → value). It emits, per unit, a delete of the unit's rows
// (or of the changed keys when the cursor says so), the rows and a cursor
// counting the items. Units in fail fail; units in reject quarantine a
// record first; block makes a unit wait until ctx ends.
type fakeAPI struct {
	mu     sync.Mutex
	items  map[string]map[int64]string
	fail   map[string]error
	reject map[string]bool
	block  map[string]bool
	seen   map[string][]extract.Unit // units handed to ExtractUnit, by id
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{items: map[string]map[int64]string{}, fail: map[string]error{}, reject: map[string]bool{},
		block: map[string]bool{}, seen: map[string][]extract.Unit{}}
}

func (f *fakeAPI) Name() string { return "fake" }
func (f *fakeAPI) Streams() []extract.Stream {
	return []extract.Stream{{Table: "fake_rows", Columns: []extract.Column{
		{Name: "unit", Type: extract.Text}, {Name: "k", Type: extract.Int64}, {Name: "v", Type: extract.Text},
	}}}
}
func (f *fakeAPI) Prepare(ctx context.Context, req extract.PrepareRequest) (extract.UnitPlan, error) {
	var units []string
	if req.Units != "" {
		units = strings.Split(req.Units, ",")
	}
	return &fakePlan{f: f, units: units, workers: 3}, nil
}

type fakePlan struct {
	f       *fakeAPI
	units   []string
	workers int
}

func (p *fakePlan) Units() []string            { return p.units }
func (p *fakePlan) Summary() string            { return fmt.Sprintf("%d units", len(p.units)) }
func (p *fakePlan) Concurrency() int           { return p.workers }
func (p *fakePlan) Counters() extract.Counters { return extract.Counters{} }
func (p *fakePlan) Close() error               { return nil }
func (p *fakePlan) ExtractUnit(ctx context.Context, u extract.Unit, sink extract.UnitSink) error {
	f := p.f
	f.mu.Lock()
	f.seen[u.ID] = append(f.seen[u.ID], u)
	items, failErr, rej, block := f.items[u.ID], f.fail[u.ID], f.reject[u.ID], f.block[u.ID]
	f.mu.Unlock()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	if rej {
		if err := sink.Reject(extract.UnitRejection{Source: "GET /units/" + u.ID, Line: 2, Raw: "{oops", Reason: "not JSON"}); err != nil {
			return err
		}
	}
	if failErr != nil {
		return failErr
	}
	cursor := strconv.Itoa(len(items))
	if !u.FullRefresh && u.Cursors["items"] == cursor {
		return nil // nothing new
	}
	if err := sink.Delete("fake_rows", extract.Cond{Column: "unit", Value: u.ID}); err != nil {
		return err
	}
	for k := int64(1); k <= int64(len(items)); k++ {
		if err := sink.Row("fake_rows", []any{u.ID, k, items[k]}); err != nil {
			return err
		}
	}
	return sink.SetCursor("items", cursor)
}

func (f *fakeAPI) set(unit string, n int, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[int64]string{}
	for k := int64(1); k <= int64(n); k++ {
		m[k] = value
	}
	f.items[unit] = m
}

func unitSetup(t *testing.T, a warehouse.Adapter) *extract.UnitRunner {
	t.Helper()
	setup(t, a) // migrations
	if err := a.Exec(context.Background(), "create table raw.fake_rows (unit text not null, k bigint not null, v text)"); err != nil {
		t.Fatal(err)
	}
	r, err := extract.NewUnitRunner(a, "raw")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runUnits(t *testing.T, r *extract.UnitRunner, f *fakeAPI, units string, opts extract.UnitRunOptions) *extract.UnitReport {
	t.Helper()
	plan, err := f.Prepare(context.Background(), extract.PrepareRequest{Units: units})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(context.Background(), f, plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func rowsOf(t *testing.T, a warehouse.Adapter, sql string) string {
	t.Helper()
	res, err := a.Query(context.Background(), sql, -1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, row := range res.Rows {
		fmt.Fprintln(&b, row...)
	}
	return b.String()
}

func TestUnitRunnerCommitsCursorsAndRetriesFailures(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			a := eng.open(t)
			r := unitSetup(t, a)
			if err := r.CheckTables(context.Background(), newFakeAPI()); err != nil {
				t.Fatal(err)
			}
			f := newFakeAPI()
			f.set("1", 3, "a")
			f.set("2", 2, "b")
			f.set("3", 1, "c")
			f.fail["3"] = errors.New("HTTP 500 after 5 attempts")
			f.reject["3"] = true
			var events []extract.UnitEvent
			rep := runUnits(t, r, f, "1,2,3", extract.UnitRunOptions{LoadID: "load-1", Observer: func(e extract.UnitEvent) { events = append(events, e) }})
			if rep.Count(extract.UnitCommitted) != 2 || rep.Count(extract.UnitFailed) != 1 || rep.StreamRows["fake_rows"] != 5 {
				t.Fatalf("report %+v", rep)
			}
			if len(events) != 3 || events[2].Done != 3 || events[2].Total != 3 || events[2].Rows != 5 {
				t.Fatalf("events %+v", events)
			}
			if got := rowsOf(t, a, "select unit, count(*) from raw.fake_rows group by unit order by unit"); got != "1 3\n2 2\n" {
				t.Fatalf("rows:\n%s", got)
			}
			if got := rowsOf(t, a, "select unit, entity, cursor, load_id from raw.extract_cursors where extractor = 'fake' order by unit"); got != "1 items 3 load-1\n2 items 2 load-1\n" {
				t.Fatalf("cursors:\n%s", got)
			}
			if got := rowsOf(t, a, "select unit, attempts, last_error from raw.extract_failures"); got != "3 1 HTTP 500 after 5 attempts\n" {
				t.Fatalf("failures:\n%s", got)
			}
			if got := rowsOf(t, a, "select extractor, file_name, line_no, raw_text, reason from raw.rejected_records"); got != "fake GET /units/3 2 {oops not JSON\n" {
				t.Fatalf("quarantine:\n%s", got)
			}

			// Second run over unit 1 only: unit 3 is retried although not
			// asked for, fails again (attempts 2); unit 1 is unchanged.
			rep = runUnits(t, r, f, "1", extract.UnitRunOptions{LoadID: "load-2"})
			if rep.Count(extract.UnitUnchanged) != 1 || len(rep.Failed()) != 1 || rep.Failed()[0].Attempts != 2 || !rep.Failed()[0].Retried {
				t.Fatalf("report %+v", rep.Results)
			}
			if c := f.seen["1"][1].Cursors["items"]; c != "3" {
				t.Fatalf("unit 1 was handed cursor %q, want the committed 3", c)
			}
			if got := rowsOf(t, a, "select unit, attempts, load_id from raw.extract_failures"); got != "3 2 load-2\n" {
				t.Fatalf("failures:\n%s", got)
			}

			// Third run: unit 3 works now and leaves the failures table;
			// unit 1 grew and is replaced, not appended to.
			delete(f.fail, "3")
			delete(f.reject, "3")
			f.set("1", 4, "z")
			rep = runUnits(t, r, f, "1", extract.UnitRunOptions{LoadID: "load-3"})
			if rep.Count(extract.UnitCommitted) != 2 {
				t.Fatalf("report %+v", rep.Results)
			}
			if got := rowsOf(t, a, "select unit, count(*), min(v) from raw.fake_rows group by unit order by unit"); got != "1 4 z\n2 2 b\n3 1 c\n" {
				t.Fatalf("rows:\n%s", got)
			}
			if got := rowsOf(t, a, "select count(*) from raw.extract_failures"); got != "0\n" {
				t.Fatalf("failures left: %s", got)
			}
			// Full refresh rewrites an unchanged unit.
			rep = runUnits(t, r, f, "2", extract.UnitRunOptions{FullRefresh: true, NoRetryFailed: true})
			if rep.Count(extract.UnitCommitted) != 1 || !f.seen["2"][len(f.seen["2"])-1].FullRefresh {
				t.Fatalf("full refresh: %+v", rep.Results)
			}
		})
	}
}

// Cancelling a run keeps every unit that finished, records no failure for
// the interrupted ones, and a rerun completes the rest.
func TestUnitRunnerInterruptedRunResumes(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			a := eng.open(t)
			r := unitSetup(t, a)
			f := newFakeAPI()
			var ids []string
			for i := 1; i <= 12; i++ {
				id := strconv.Itoa(i)
				ids = append(ids, id)
				f.set(id, i, "v"+id)
			}
			f.block["7"] = true
			ctx, cancel := context.WithCancel(context.Background())
			plan, _ := f.Prepare(ctx, extract.PrepareRequest{Units: strings.Join(ids, ",")})
			rep, err := r.Run(ctx, f, plan, extract.UnitRunOptions{Observer: func(e extract.UnitEvent) {
				if e.Done == 4 {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want context.Canceled", err)
			}
			committed := rep.Count(extract.UnitCommitted)
			if committed < 4 || rep.Count(extract.UnitFailed) != 0 || rep.Count(extract.UnitInterrupted) == 0 {
				t.Fatalf("report %+v", rep.Results)
			}
			if got := rowsOf(t, a, "select count(distinct unit) from raw.fake_rows"); got != fmt.Sprintf("%d\n", committed) {
				t.Fatalf("%s units in the table, %d committed", got, committed)
			}
			if got := rowsOf(t, a, "select count(*) from raw.extract_failures"); got != "0\n" {
				t.Fatalf("interrupted units recorded as failed: %s", got)
			}
			delete(f.block, "7")
			rep = runUnits(t, r, f, strings.Join(ids, ","), extract.UnitRunOptions{})
			if rep.Count(extract.UnitCommitted) != 12-committed || rep.Count(extract.UnitUnchanged) != committed {
				t.Fatalf("rerun %+v", rep.Results)
			}
			if got := rowsOf(t, a, "select count(*), count(distinct unit) from raw.fake_rows"); got != "78 12\n" {
				t.Fatalf("after the rerun: %s (want 1+2+...+12 rows)", got)
			}
		})
	}
}

// A unit failing with an AbortError (the source refuses the credentials)
// stops the run with that error: no unit is recorded as failed, the units
// it did not reach are interrupted, and what was committed stays.
func TestUnitRunnerAbortStopsTheRunWithoutFailures(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			a := eng.open(t)
			r := unitSetup(t, a)
			f := newFakeAPI()
			var ids []string
			for i := 1; i <= 40; i++ {
				id := strconv.Itoa(i)
				ids = append(ids, id)
				f.set(id, 1, "v")
				if i >= 3 {
					f.fail[id] = extract.Abort(errors.New("HTTP 401: credentials refused"))
				}
			}
			plan, _ := f.Prepare(context.Background(), extract.PrepareRequest{Units: strings.Join(ids, ",")})
			rep, err := r.Run(context.Background(), f, plan, extract.UnitRunOptions{})
			var ae *extract.AbortError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), "credentials refused") {
				t.Fatalf("Run = %v, want the AbortError", err)
			}
			if rep.Count(extract.UnitFailed) != 0 || rep.Count(extract.UnitInterrupted) == 0 {
				t.Fatalf("report %+v", rep.Results)
			}
			if got := rowsOf(t, a, "select count(*) from raw.extract_failures"); got != "0\n" {
				t.Fatalf("aborted units recorded as failed: %s", got)
			}
			if len(f.seen) >= 40 {
				t.Errorf("every unit was fetched (%d): the abort did not stop the run", len(f.seen))
			}
			committed := rep.Count(extract.UnitCommitted)
			if got := rowsOf(t, a, "select count(distinct unit) from raw.fake_rows"); got != fmt.Sprintf("%d\n", committed) {
				t.Fatalf("%s units in the table, %d committed", got, committed)
			}
		})
	}
}

func TestUnitSinkContract(t *testing.T) {
	a := engines()[0].open(t)
	r := unitSetup(t, a)
	tests := []struct {
		name string
		emit func(extract.UnitSink) error
		want string
	}{
		{"undeclared stream", func(s extract.UnitSink) error { return s.Row("nope", []any{"1"}) }, `undeclared stream "nope"`},
		{"wrong arity", func(s extract.UnitSink) error { return s.Row("fake_rows", []any{"1"}) }, "has 1 values, want 3"},
		{"wrong type", func(s extract.UnitSink) error { return s.Row("fake_rows", []any{"1", 2, "x"}) }, "column k: value of Go type int"},
		{"delete without condition", func(s extract.UnitSink) error { return s.Delete("fake_rows") }, "at least one condition"},
		{"unknown column", func(s extract.UnitSink) error {
			return s.DeleteKeys("fake_rows", []extract.Cond{{Column: "unit", Value: "1"}}, "nope", []any{int64(1)})
		}, `no column "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &sinkProbe{emit: tc.emit}
			rep, err := r.Run(context.Background(), f, f, extract.UnitRunOptions{NoRetryFailed: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failed()) != 1 || !strings.Contains(rep.Failed()[0].Err.Error(), tc.want) {
				t.Fatalf("results %+v, want a failure with %q", rep.Results, tc.want)
			}
		})
	}
}

// sinkProbe is a one-unit extractor and plan that emits what it is told.
type sinkProbe struct{ emit func(extract.UnitSink) error }

func (p *sinkProbe) Name() string              { return "probe" }
func (p *sinkProbe) Streams() []extract.Stream { return newFakeAPI().Streams() }
func (p *sinkProbe) Prepare(context.Context, extract.PrepareRequest) (extract.UnitPlan, error) {
	return p, nil
}
func (p *sinkProbe) Units() []string            { return []string{"1"} }
func (p *sinkProbe) Summary() string            { return "" }
func (p *sinkProbe) Concurrency() int           { return 1 }
func (p *sinkProbe) Counters() extract.Counters { return extract.Counters{} }
func (p *sinkProbe) Close() error               { return nil }
func (p *sinkProbe) ExtractUnit(ctx context.Context, u extract.Unit, s extract.UnitSink) error {
	return p.emit(s)
}

// Operations apply as if in order — a delete removes the unit's own
// earlier rows too — and key deletes work past one statement's worth of
// keys, through INSERTs for small units and the bulk path for large ones.
func TestUnitOperationsApplyInOrder(t *testing.T) {
	for _, eng := range engines() {
		for _, n := range []int64{1200, 12000} {
			t.Run(fmt.Sprintf("%s/%d", eng.name, n), func(t *testing.T) {
				testOperationsInOrder(t, eng, n)
			})
		}
	}
}

func testOperationsInOrder(t *testing.T, eng engine, n int64) {
	a := eng.open(t)
	r := unitSetup(t, a)
	if err := a.Exec(context.Background(), "insert into raw.fake_rows values ('1', 0, 'committed earlier'), ('2', 0, 'other unit')"); err != nil {
		t.Fatal(err)
	}
	emit := func(s extract.UnitSink) error {
		if err := s.Row("fake_rows", []any{"1", int64(-1), "dropped"}); err != nil {
			return err
		}
		if err := s.Delete("fake_rows", extract.Cond{Column: "unit", Value: "1"}); err != nil {
			return err
		}
		for k := int64(1); k <= n; k++ {
			if err := s.Row("fake_rows", []any{"1", k, "old"}); err != nil {
				return err
			}
		}
		keys := []any{}
		for k := int64(2); k <= n; k += 2 {
			keys = append(keys, k)
		}
		if err := s.DeleteKeys("fake_rows", []extract.Cond{{Column: "unit", Value: "1"}}, "k", keys); err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.Row("fake_rows", []any{"1", k, "new"}); err != nil {
				return err
			}
		}
		return nil
	}
	p := &sinkProbe{emit: emit}
	rep, err := r.Run(context.Background(), p, p, extract.UnitRunOptions{Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil || rep.Count(extract.UnitCommitted) != 1 {
		t.Fatalf("%v %+v", err, rep.Results)
	}
	want := fmt.Sprintf("new %d\nold %d\nother unit 1\n", n/2, n/2)
	if got := rowsOf(t, a, "select v, count(*) from raw.fake_rows group by v order by v"); got != want {
		t.Fatalf("rows:\n%s\nwant:\n%s", got, want)
	}
	if rep.StreamRows["fake_rows"] != n {
		t.Fatalf("inserted %d rows, want %d", rep.StreamRows["fake_rows"], n)
	}
}
