package intervals

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func d(day int) time.Time { return time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC) }

func TestUnitArithmetic(t *testing.T) {
	at := time.Date(2024, 2, 29, 13, 45, 10, 5, time.FixedZone("x", 2*3600)) // 11:45:10 UTC
	for _, tc := range []struct {
		u           Unit
		floor, next time.Time
	}{
		{Hour, time.Date(2024, 2, 29, 11, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{Day, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Month, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Year, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := tc.u.Floor(at); !got.Equal(tc.floor) || got.Location() != time.UTC {
			t.Errorf("%s.Floor = %v, want %v UTC", tc.u, got, tc.floor)
		}
		if got := tc.u.Ceil(at); !got.Equal(tc.next) {
			t.Errorf("%s.Ceil = %v, want %v", tc.u, got, tc.next)
		}
		if got := tc.u.Ceil(tc.floor); !got.Equal(tc.floor) {
			t.Errorf("%s.Ceil of a boundary = %v, want it unchanged", tc.u, got)
		}
		if got := tc.u.Add(tc.floor, 1); !got.Equal(tc.next) {
			t.Errorf("%s.Add(1) = %v, want %v", tc.u, got, tc.next)
		}
	}
	// Months keep the first of the month across lengths; days cross DST
	// (UTC has none) and leap days.
	if got := Month.Split(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); len(got) != 3 ||
		!got[1].Start.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) || !got[1].End.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Month.Split = %v", got)
	}
	if got := Hour.Split(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); len(got) != 24 {
		t.Errorf("hours on the UK clock-change day: %d, want 24 UTC hours", len(got))
	}
	if _, err := ParseUnit("week"); err == nil {
		t.Error("ParseUnit(week) succeeded")
	}
}

func TestSet(t *testing.T) {
	s := NewSet(Interval{d(5), d(6)}, Interval{d(1), d(3)}, Interval{d(3), d(4)}, Interval{d(9), d(9)})
	if got := Spans(s.Spans()); got != "[2024-01-01, 2024-01-04), [2024-01-05, 2024-01-06)" {
		t.Errorf("merged spans: %s", got)
	}
	for _, tc := range []struct {
		iv   Interval
		want bool
	}{
		{Interval{d(1), d(2)}, true},
		{Interval{d(2), d(4)}, true}, // across the merged seam
		{Interval{d(3), d(5)}, false},
		{Interval{d(5), d(6)}, true},
		{Interval{d(6), d(7)}, false},
		{Interval{d(1), time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC)}, true}, // a finer grid inside
	} {
		if got := s.Covers(tc.iv); got != tc.want {
			t.Errorf("Covers(%s) = %v, want %v", tc.iv, got, tc.want)
		}
	}
	if got := s.Add(Interval{d(4), d(5)}); !got.Covers(Interval{d(1), d(6)}) {
		t.Errorf("Add did not bridge the gap: %s", Spans(got.Spans()))
	}
}

func TestTodo(t *testing.T) {
	base := Request{Unit: Day, Begin: d(1), Now: time.Date(2024, 1, 8, 6, 0, 0, 0, time.UTC), Lookback: 1}
	done := func(ivs ...Interval) Set { return NewSet(ivs...) }
	for _, tc := range []struct {
		name string
		edit func(r *Request)
		want string
	}{
		{"first run: every complete day", func(r *Request) {}, "[2024-01-01, 2024-01-08)"},
		{"up to date: the newest day and one before", func(r *Request) { r.Done = done(Interval{d(1), d(8)}) }, "[2024-01-06, 2024-01-08)"},
		{"lookback 0: only the newest", func(r *Request) { r.Done = done(Interval{d(1), d(8)}); r.Lookback = 0 }, "[2024-01-07, 2024-01-08)"},
		{"lookback 3", func(r *Request) { r.Done = done(Interval{d(1), d(8)}); r.Lookback = 3 }, "[2024-01-04, 2024-01-08)"},
		{"a gap is filled", func(r *Request) { r.Done = done(Interval{d(1), d(3)}, Interval{d(4), d(6)}) },
			"[2024-01-03, 2024-01-04), [2024-01-06, 2024-01-08)"},
		{"missed runs", func(r *Request) { r.Done = done(Interval{d(1), d(4)}) }, "[2024-01-04, 2024-01-08)"},
		{"begin mid-day starts at that day", func(r *Request) { r.Begin = time.Date(2024, 1, 5, 12, 0, 0, 0, time.UTC) }, "[2024-01-05, 2024-01-08)"},
		{"begin in the future: nothing", func(r *Request) { r.Begin = d(20) }, ""},
		{"--end bounds the run", func(r *Request) { r.End = d(4) }, "[2024-01-01, 2024-01-04)"},
		{"--end mid-day includes that day", func(r *Request) { r.End = time.Date(2024, 1, 4, 1, 0, 0, 0, time.UTC) }, "[2024-01-01, 2024-01-05)"},
		{"--end never reaches incomplete days", func(r *Request) { r.End = d(30) }, "[2024-01-01, 2024-01-08)"},
		{"--start skips earlier gaps", func(r *Request) { r.Start = d(5) }, "[2024-01-05, 2024-01-08)"},
		{"lookback stays inside --end", func(r *Request) { r.Done = done(Interval{d(1), d(8)}); r.End = d(5) }, "[2024-01-03, 2024-01-05)"},
		{"restate a done range", func(r *Request) {
			r.Done = done(Interval{d(1), d(8)})
			r.Restate, r.Start, r.End = true, d(2), d(4)
		}, "[2024-01-02, 2024-01-04)"},
		{"restate everything", func(r *Request) { r.Done = done(Interval{d(1), d(8)}); r.Restate = true }, "[2024-01-01, 2024-01-08)"},
	} {
		r := base
		tc.edit(&r)
		if got := Spans(r.Todo()); got != tc.want {
			t.Errorf("%s: Todo = %s, want %s", tc.name, got, tc.want)
		}
	}
	// Todo lists single batches, oldest first.
	got := Request{Unit: Day, Begin: d(1), Now: d(4)}.Todo()
	want := []Interval{{d(1), d(2)}, {d(2), d(3)}, {d(3), d(4)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Todo = %v, want %v", got, want)
	}
	if s := (Interval{time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC), d(2)}).String(); !strings.Contains(s, "2024-01-01 06:00") {
		t.Errorf("Interval.String = %s", s)
	}
}
