package run

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// diamond: a → b, a → c, b → d, c → d, plus e independent and f below d.
func diamond() Plan {
	return Plan{
		Order: []string{"a", "b", "c", "e", "d", "f"},
		Parents: map[string][]string{
			"b": {"a"}, "c": {"a"}, "d": {"b", "c"}, "f": {"d"},
		},
	}
}

func statuses(rs []Result) map[string]Status {
	m := map[string]Status{}
	for _, r := range rs {
		m[r.ID] = r.Status
	}
	return m
}

func TestExecuteRunsEverythingInDependencyOrder(t *testing.T) {
	for _, threads := range []int{1, 2, 8} {
		t.Run(fmt.Sprint(threads), func(t *testing.T) {
			var mu sync.Mutex
			finished := map[string]bool{}
			plan := diamond()
			step := func(ctx context.Context, id string) Outcome {
				mu.Lock()
				for _, p := range plan.Parents[id] {
					if !finished[p] {
						mu.Unlock()
						return Outcome{Status: StatusError, Message: id + " started before " + p}
					}
				}
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				finished[id] = true
				mu.Unlock()
				return Outcome{Status: StatusSuccess}
			}
			rs := Execute(context.Background(), plan, step, Options{Threads: threads})
			if len(rs) != 6 {
				t.Fatalf("%d results", len(rs))
			}
			for i, r := range rs {
				if r.ID != plan.Order[i] {
					t.Errorf("result %d is %s, want %s (plan order)", i, r.ID, plan.Order[i])
				}
				if r.Status != StatusSuccess {
					t.Errorf("%s: %s %s", r.ID, r.Status, r.Message)
				}
			}
		})
	}
}

func TestExecuteSkipsBelowFailuresButNotBesideThem(t *testing.T) {
	cases := []struct {
		failing Status
		want    map[string]Status
	}{
		{StatusError, map[string]Status{"a": StatusSuccess, "b": StatusError, "c": StatusSuccess, "d": StatusSkipped, "e": StatusSuccess, "f": StatusSkipped}},
		{StatusFail, map[string]Status{"a": StatusSuccess, "b": StatusFail, "c": StatusSuccess, "d": StatusSkipped, "e": StatusSuccess, "f": StatusSkipped}},
		{StatusWarn, map[string]Status{"a": StatusSuccess, "b": StatusWarn, "c": StatusSuccess, "d": StatusSuccess, "e": StatusSuccess, "f": StatusSuccess}},
	}
	for _, c := range cases {
		t.Run(string(c.failing), func(t *testing.T) {
			var ran sync.Map
			step := func(ctx context.Context, id string) Outcome {
				ran.Store(id, true)
				if id == "b" {
					return Outcome{Status: c.failing, Message: "boom"}
				}
				return Outcome{Status: StatusSuccess}
			}
			rs := Execute(context.Background(), diamond(), step, Options{Threads: 3})
			got := statuses(rs)
			for id, want := range c.want {
				if got[id] != want {
					t.Errorf("%s = %s, want %s", id, got[id], want)
				}
				if _, r := ran.Load(id); r != (want != StatusSkipped) {
					t.Errorf("%s ran = %v with status %s", id, r, want)
				}
			}
			for _, r := range rs {
				if r.ID == "d" && r.Status == StatusSkipped && r.Message != "upstream failed: b" {
					t.Errorf("d skipped with %q, want %q", r.Message, "upstream failed: b")
				}
				if r.ID == "f" && r.Status == StatusSkipped && r.Message != "upstream skipped: d" {
					t.Errorf("f skipped with %q", r.Message)
				}
			}
		})
	}
}

func TestExecuteRespectsThreads(t *testing.T) {
	plan := Plan{Order: []string{"1", "2", "3", "4", "5", "6", "7", "8"}}
	var cur, peak int32
	step := func(ctx context.Context, id string) Outcome {
		n := atomic.AddInt32(&cur, 1)
		for {
			p := atomic.LoadInt32(&peak)
			if n <= p || atomic.CompareAndSwapInt32(&peak, p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		atomic.AddInt32(&cur, -1)
		return Outcome{Status: StatusSuccess}
	}
	Execute(context.Background(), plan, step, Options{Threads: 3})
	if peak > 3 {
		t.Fatalf("peak concurrency %d > 3 threads", peak)
	}
	if peak < 2 {
		t.Fatalf("peak concurrency %d: independent nodes did not run in parallel", peak)
	}
}

func TestExecuteFailFastSkipsTheRest(t *testing.T) {
	plan := Plan{Order: []string{"a", "b", "c", "d"}}
	step := func(ctx context.Context, id string) Outcome {
		if id == "a" {
			return Outcome{Status: StatusError, Message: "boom"}
		}
		return Outcome{Status: StatusSuccess}
	}
	rs := Execute(context.Background(), plan, step, Options{Threads: 1, FailFast: true})
	want := map[string]Status{"a": StatusError, "b": StatusSkipped, "c": StatusSkipped, "d": StatusSkipped}
	for id, s := range statuses(rs) {
		if s != want[id] {
			t.Errorf("%s = %s, want %s", id, s, want[id])
		}
	}
}

func TestExecuteCancelledContextSkipsUnstartedAndCancelsRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plan := Plan{Order: []string{"slow", "next"}, Parents: map[string][]string{}}
	step := func(ctx context.Context, id string) Outcome {
		if id == "slow" {
			cancel()
			<-ctx.Done()
			return Outcome{Status: StatusError, Err: ctx.Err(), Message: ctx.Err().Error()}
		}
		return Outcome{Status: StatusSuccess}
	}
	rs := Execute(ctx, plan, step, Options{Threads: 1})
	got := statuses(rs)
	if got["slow"] != StatusError || got["next"] != StatusSkipped {
		t.Fatalf("got %v", got)
	}
	if rs[1].Message != "interrupted" {
		t.Fatalf("next skipped with %q, want interrupted", rs[1].Message)
	}
}

func TestExecuteReportsPanicsAsErrors(t *testing.T) {
	plan := Plan{Order: []string{"a", "b"}, Parents: map[string][]string{"b": {"a"}}}
	rs := Execute(context.Background(), plan, func(ctx context.Context, id string) Outcome { panic("kaboom") }, Options{})
	if rs[0].Status != StatusError || rs[0].Message != "panic: kaboom" || rs[1].Status != StatusSkipped {
		t.Fatalf("got %+v", rs)
	}
}

func TestExecuteEmitsStartAndDoneForRunNodesAndDoneForSkipped(t *testing.T) {
	var events []string
	step := func(ctx context.Context, id string) Outcome {
		if id == "a" {
			return Outcome{Status: StatusError}
		}
		return Outcome{Status: StatusSuccess}
	}
	plan := Plan{Order: []string{"a", "b"}, Parents: map[string][]string{"b": {"a"}}}
	Execute(context.Background(), plan, step, Options{Observer: func(e Event) {
		kind := "start"
		if e.Kind == EventDone {
			kind = "done:" + string(e.Result.Status)
		}
		events = append(events, fmt.Sprintf("%d/%d %s %s", e.Index, e.Total, e.ID, kind))
	}})
	want := []string{"1/2 a start", "1/2 a done:error", "2/2 b done:skipped"}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", events, want)
	}
}

func TestExecuteFailFastReportsCancelledRunningNodesAsSkipped(t *testing.T) {
	plan := Plan{Order: []string{"a", "slow"}}
	started := make(chan struct{})
	step := func(ctx context.Context, id string) Outcome {
		if id == "slow" {
			close(started)
			<-ctx.Done()
			return Outcome{Status: StatusError, Message: ctx.Err().Error(), Err: ctx.Err()}
		}
		<-started
		return Outcome{Status: StatusError, Message: "boom"}
	}
	rs := Execute(context.Background(), plan, step, Options{Threads: 2, FailFast: true})
	got := statuses(rs)
	if got["a"] != StatusError || got["slow"] != StatusSkipped {
		t.Fatalf("got %v, want a error and slow skipped", got)
	}
	if !strings.HasPrefix(rs[1].Message, "cancelled (fail-fast: a error)") {
		t.Fatalf("slow: %q", rs[1].Message)
	}
}
