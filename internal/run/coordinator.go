// Package run executes a plan of nodes (models and data tests) against a
// warehouse: a coordinator owns node states and hands ready nodes to N
// workers; a node runs only when all its parents in the plan succeeded,
// otherwise it is skipped with the name of the parent that failed.
package run

import (
	"container/heap"
	"context"
	"fmt"
	"time"
)

// Status of a node after execution.
type Status string

const (
	StatusSuccess Status = "success" // model built
	StatusError   Status = "error"   // model or test could not run
	StatusPass    Status = "pass"    // test found no failing rows
	StatusFail    Status = "fail"    // error-severity test found failing rows
	StatusWarn    Status = "warn"    // warn-severity test found failing rows
	StatusSkipped Status = "skipped" // not run: upstream failed, fail-fast or interrupted
)

// Blocks reports whether a node that ended with s stops its dependants.
func (s Status) Blocks() bool { return s == StatusError || s == StatusFail || s == StatusSkipped }

// Failed reports whether s makes the command exit 1.
func (s Status) Failed() bool { return s == StatusError || s == StatusFail }

// Outcome is what a Step reports for one node.
type Outcome struct {
	Status  Status
	Message string // one line for humans: "created table", "3 failing rows", the error
	Rows    int64  // rows built (models) or failing rows (tests); -1 if unknown
	Detail  any    // step-specific data (e.g. a sample of failing rows)
	Err     error  // the underlying error of StatusError
	SQL     string // the compiled SQL the step ran, if any
}

// Result is a node's outcome with its timing.
type Result struct {
	ID string
	Outcome
	Started  time.Time
	Duration time.Duration
}

// Step executes one node. It must honour ctx and report failures as an
// Outcome (StatusError), never panic.
type Step func(ctx context.Context, id string) Outcome

// Event is sent to the Observer as nodes start and finish. Index is the
// node's 1-based position in the plan order, Total the plan's size.
type Event struct {
	Kind         EventKind
	ID           string
	Index, Total int
	Result       *Result // set for EventDone
}

// EventKind tells starts from completions.
type EventKind int

const (
	EventStart EventKind = iota
	EventDone
)

// Options control execution.
type Options struct {
	Threads  int         // concurrent nodes; < 1 means 1
	FailFast bool        // stop at the first error or failing test
	Observer func(Event) // called from the coordinator goroutine only; may be nil
	Now      func() time.Time
}

// Plan is what to execute: node IDs in a topological order, and for each
// node its parents within the plan (parents outside the plan are ignored).
type Plan struct {
	Order   []string
	Parents map[string][]string
}

// Execute runs plan with step on opts.Threads workers and returns one
// result per node, in plan order. Nodes below a blocking status are skipped
// ("upstream failed: X"); with FailFast, or when ctx is cancelled, nodes not
// yet started are skipped and running ones see ctx cancelled.
func Execute(ctx context.Context, plan Plan, step Step, opts Options) []Result {
	threads := max(opts.Threads, 1)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	idx := make(map[string]int, len(plan.Order))
	for i, id := range plan.Order {
		idx[id] = i
	}
	children := make([][]int, len(plan.Order))
	pending := make([]int, len(plan.Order)) // unfinished parents per node
	for i, id := range plan.Order {
		for _, p := range plan.Parents[id] {
			if j, ok := idx[p]; ok {
				children[j] = append(children[j], i)
				pending[i]++
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	results := make([]Result, len(plan.Order))
	blockedBy := make([]string, len(plan.Order)) // why: the first blocking parent
	done := make(chan Result)
	ready := &intHeap{}
	for i := range plan.Order {
		if pending[i] == 0 {
			heap.Push(ready, i)
		}
	}
	emit := func(e Event) {
		if opts.Observer != nil {
			opts.Observer(e)
		}
	}
	stopReason := ""
	running, finished := 0, 0

	var finish func(i int, r Result)
	finish = func(i int, r Result) {
		results[i] = r
		finished++
		emit(Event{Kind: EventDone, ID: r.ID, Index: i + 1, Total: len(plan.Order), Result: &results[i]})
		if opts.FailFast && r.Status.Failed() && stopReason == "" {
			stopReason = "fail-fast: " + r.ID + " " + string(r.Status)
			cancel()
		}
		for _, c := range children[i] {
			if r.Status.Blocks() && blockedBy[c] == "" {
				if r.Status == StatusSkipped {
					blockedBy[c] = "upstream skipped: " + r.ID
				} else {
					blockedBy[c] = "upstream failed: " + r.ID
				}
			}
			pending[c]--
			if pending[c] == 0 {
				heap.Push(ready, c)
			}
		}
	}

	for finished < len(plan.Order) {
		for running < threads && ready.Len() > 0 {
			i := heap.Pop(ready).(int)
			id := plan.Order[i]
			skip := ""
			switch {
			case blockedBy[i] != "":
				skip = blockedBy[i]
			case stopReason != "":
				skip = stopReason
			case ctx.Err() != nil:
				skip = "interrupted"
			}
			if skip != "" {
				finish(i, Result{ID: id, Started: now(), Outcome: Outcome{Status: StatusSkipped, Message: skip, Rows: -1}})
				continue
			}
			running++
			emit(Event{Kind: EventStart, ID: id, Index: i + 1, Total: len(plan.Order)})
			go func() {
				start := now()
				out := safeStep(ctx, step, id)
				done <- Result{ID: id, Outcome: out, Started: start, Duration: now().Sub(start)}
			}()
		}
		if running == 0 {
			if ready.Len() == 0 && finished < len(plan.Order) {
				// Unreachable with a valid plan: a node waits on a parent
				// that can never finish (a cycle). Report rather than hang.
				for i := range plan.Order {
					if results[i].ID == "" {
						finish(i, Result{ID: plan.Order[i], Outcome: Outcome{Status: StatusError, Message: "never became ready (cycle in plan?)", Rows: -1}})
					}
				}
			}
			continue
		}
		r := <-done
		running--
		if stopReason != "" && r.Status == StatusError && ctx.Err() != nil {
			// Cancelled by fail-fast while running: not a failure of its own.
			r.Outcome = Outcome{Status: StatusSkipped, Message: "cancelled (" + stopReason + ")", Rows: -1}
		}
		finish(idx[r.ID], r)
	}
	return results
}

// safeStep turns a panicking step into an error outcome, so one bad node
// cannot take the whole run down.
func safeStep(ctx context.Context, step Step, id string) (out Outcome) {
	defer func() {
		if p := recover(); p != nil {
			out = Outcome{Status: StatusError, Message: fmt.Sprintf("panic: %v", p), Rows: -1, Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	return step(ctx, id)
}

// intHeap is a min-heap of plan positions: among ready nodes the earliest in
// plan order is dispatched first, so runs are deterministic.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
