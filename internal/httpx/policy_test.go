package httpx

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestBackoffDoublesWithinJitterBoundsAndCaps(t *testing.T) {
	base, max := 100*time.Millisecond, time.Second
	tests := []struct {
		n      int
		lo, hi time.Duration // [d/2, d)
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second}, // capped at max
		{40, 500 * time.Millisecond, time.Second},
	}
	for _, tc := range tests {
		for _, u := range []float64{0, 0.5, 0.999999} {
			got := backoff(tc.n, base, max, u)
			if got < tc.lo || got >= tc.hi {
				t.Errorf("backoff(%d, u=%v) = %v, want in [%v, %v)", tc.n, u, got, tc.lo, tc.hi)
			}
		}
		if backoff(tc.n, base, max, 0) != tc.lo {
			t.Errorf("backoff(%d, 0) = %v, want the fixed half %v", tc.n, backoff(tc.n, base, max, 0), tc.lo)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true}, // in the past: now
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBucketSpacesWaitersAfterTheBurst(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var slept []time.Duration
	b := NewBucket(10, 2) // 10 per second, 2 at once
	b.now = func() time.Time { return now }
	b.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	for range 4 {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}
	if len(slept) != 2 || slept[0] != want[0] || slept[1] != want[1] {
		t.Fatalf("slept %v, want %v (two free tokens, then one every 100ms)", slept, want)
	}
	// A second later the bucket has refilled to its burst, no more.
	now = now.Add(time.Second)
	slept = nil
	for range 3 {
		_ = b.Wait(context.Background())
	}
	if len(slept) != 1 {
		t.Fatalf("after refilling, slept %v; want only the third caller to wait", slept)
	}
}

func TestBucketCancelledWaitGivesItsTokenBack(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewBucket(1, 1)
	b.now = func() time.Time { return now }
	cancelled := errors.New("cancelled")
	var slept []time.Duration
	b.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return cancelled }
	_ = b.Wait(context.Background()) // takes the only token
	if err := b.Wait(context.Background()); !errors.Is(err, cancelled) {
		t.Fatalf("Wait = %v, want the sleep's error", err)
	}
	_ = b.Wait(context.Background())
	if len(slept) != 2 || slept[1] != slept[0] {
		t.Fatalf("slept %v: a cancelled wait must not push later waiters back", slept)
	}
}

func TestRedactorRemovesSecretsAndTheirEncodings(t *testing.T) {
	r := &Redactor{}
	r.Add("p@ss word!", "tok", "abcd1234", "")
	got := r.String("user=x&password=p%40ss+word%21 Bearer abcd1234 tok p@ss word!")
	want := "user=x&password=" + Redacted + " Bearer " + Redacted + " tok " + Redacted
	if got != want {
		t.Fatalf("got  %q\nwant %q (values under 4 characters are not secrets)", got, want)
	}
}
