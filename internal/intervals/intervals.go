// Package intervals decides which time batches a microbatch (time-window)
// model processes on a run, and keeps the record of processed batches in a
// state table of the warehouse itself, so gaps — missed runs, failed
// batches, an earlier begin — are found and filled, and a restatement can
// rebuild any range.
//
// All times are UTC. Batches are aligned to their unit: hours, midnight
// UTC days, first-of-month months and years. An interval is half-open,
// [Start, End).
package intervals

import (
	"fmt"
	"slices"
	"time"
)

// Unit is a batch size: hour, day, month or year.
type Unit string

// Units cdw knows.
const (
	Hour  Unit = "hour"
	Day   Unit = "day"
	Month Unit = "month"
	Year  Unit = "year"
)

// ParseUnit checks a batch_size value.
func ParseUnit(s string) (Unit, error) {
	switch u := Unit(s); u {
	case Hour, Day, Month, Year:
		return u, nil
	}
	return "", fmt.Errorf("unknown batch size %q (want hour, day, month or year)", s)
}

// Floor returns the start of the batch that contains t.
func (u Unit) Floor(t time.Time) time.Time {
	t = t.UTC()
	switch u {
	case Hour:
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, time.UTC)
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
}

// Ceil returns t if it is a batch boundary, else the next boundary.
func (u Unit) Ceil(t time.Time) time.Time {
	f := u.Floor(t)
	if f.Equal(t) {
		return f
	}
	return u.Add(f, 1)
}

// Add moves the boundary t by n batches (n may be negative).
func (u Unit) Add(t time.Time, n int) time.Time {
	switch u {
	case Hour:
		return t.Add(time.Duration(n) * time.Hour)
	case Month:
		return t.AddDate(0, n, 0)
	case Year:
		return t.AddDate(n, 0, 0)
	default:
		return t.AddDate(0, 0, n)
	}
}

// Split cuts [lo, hi), both boundaries, into batches.
func (u Unit) Split(lo, hi time.Time) []Interval {
	var out []Interval
	for t := lo; t.Before(hi); {
		next := u.Add(t, 1)
		out = append(out, Interval{Start: t, End: next})
		t = next
	}
	return out
}

// Interval is the half-open time range [Start, End).
type Interval struct{ Start, End time.Time }

func (iv Interval) String() string {
	return "[" + stamp(iv.Start) + ", " + stamp(iv.End) + ")"
}

// stamp prints a boundary as a date when it is midnight.
func stamp(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
}

// Set is the union of processed intervals: sorted, with overlapping and
// adjacent intervals merged. The zero value is empty.
type Set struct{ spans []Interval }

// NewSet merges intervals (in any order; empty ones are ignored).
func NewSet(ivs ...Interval) Set {
	var s Set
	s.spans = mergeSorted(ivs)
	return s
}

func mergeSorted(ivs []Interval) []Interval {
	ivs = slices.DeleteFunc(slices.Clone(ivs), func(iv Interval) bool { return !iv.Start.Before(iv.End) })
	slices.SortFunc(ivs, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var out []Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Add returns s with ivs added.
func (s Set) Add(ivs ...Interval) Set {
	return Set{spans: mergeSorted(append(slices.Clone(s.spans), ivs...))}
}

// Covers reports whether iv lies wholly inside s.
func (s Set) Covers(iv Interval) bool {
	for _, sp := range s.spans {
		if !sp.Start.After(iv.Start) && !sp.End.Before(iv.End) {
			return true
		}
	}
	return false
}

// Spans returns the merged intervals, oldest first.
func (s Set) Spans() []Interval { return slices.Clone(s.spans) }

// Request is what a run knows about one microbatch model.
type Request struct {
	Unit Unit
	// Begin is the model's begin; the first batch is the one containing it.
	Begin time.Time
	// Now is the run's clock: a batch is complete, and may be processed,
	// when it ends at or before Now.
	Now time.Time
	// Start and End, when not zero, limit the run to the batches that
	// overlap [Start, End) (--start, --end).
	Start, End time.Time
	// Lookback is how many batches before the newest complete one are
	// reprocessed on every run even when done, for late-arriving rows.
	Lookback int
	// Restate reprocesses every batch in range, done or not (--restate).
	Restate bool
	// Done is what the state table records as processed.
	Done Set
}

// Bounds returns the range [lo, hi) of complete batches the request
// covers, aligned to the unit; lo == hi when it is empty.
func (r Request) Bounds() (lo, hi time.Time) {
	lo = r.Unit.Floor(r.Begin)
	if !r.Start.IsZero() {
		if s := r.Unit.Floor(r.Start); s.After(lo) {
			lo = s
		}
	}
	hi = r.Unit.Floor(r.Now)
	if !r.End.IsZero() {
		if e := r.Unit.Ceil(r.End); e.Before(hi) {
			hi = e
		}
	}
	if hi.Before(lo) {
		hi = lo
	}
	return lo, hi
}

// Todo returns the batches the run processes, oldest first: with Restate
// every batch in Bounds; otherwise every batch in Bounds that Done does not
// cover (gaps, and everything on the first run), plus the newest batch in
// Bounds and the Lookback batches before it.
func (r Request) Todo() []Interval {
	lo, hi := r.Bounds()
	all := r.Unit.Split(lo, hi)
	if r.Restate {
		return all
	}
	recent := r.Unit.Add(hi, -(max(r.Lookback, 0) + 1))
	var out []Interval
	for _, iv := range all {
		if !iv.Start.Before(recent) || !r.Done.Covers(iv) {
			out = append(out, iv)
		}
	}
	return out
}

// Spans merges consecutive batches into ranges, for messages:
// "[2024-01-01, 2024-01-04), [2024-01-07, 2024-01-08)".
func Spans(ivs []Interval) string {
	spans := mergeSorted(ivs)
	out := ""
	for i, sp := range spans {
		if i > 0 {
			out += ", "
		}
		out += sp.String()
	}
	return out
}
