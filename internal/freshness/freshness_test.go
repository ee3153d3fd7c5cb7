package freshness

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func period(n int, p string) *config.FreshnessPeriod {
	return &config.FreshnessPeriod{Count: n, Period: p}
}

func TestJudge(t *testing.T) {
	f := config.FreshnessDecl{WarnAfter: period(6, "hour"), ErrorAfter: period(1, "day")}
	cases := []struct {
		age  time.Duration
		want Status
		msg  string
	}{
		{time.Hour, StatusPass, ""},
		{6 * time.Hour, StatusPass, ""}, // at the threshold is still fresh
		{6*time.Hour + time.Second, StatusWarn, "older than warn_after 6 hours"},
		{25 * time.Hour, StatusError, "older than error_after 1 day"},
		{-time.Hour, StatusPass, ""}, // loaded "in the future" (clock skew): fresh
	}
	for _, c := range cases {
		got, msg := Judge(c.age, f)
		if got != c.want || msg != c.msg {
			t.Errorf("Judge(%v) = %s %q, want %s %q", c.age, got, msg, c.want, c.msg)
		}
	}
	if got, _ := Judge(100*24*time.Hour, config.FreshnessDecl{WarnAfter: period(1, "minute")}); got != StatusWarn {
		t.Errorf("warn-only freshness never errors, got %s", got)
	}
}

// TestMeasure runs checks on each engine: timestamp, timestamptz and date
// columns, a filter, an empty table and a column that is not a time.
func TestMeasure(t *testing.T) {
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		enginetest.Exec(t, a, "create schema raw")
		enginetest.Exec(t, a, `create table raw.files (loaded_at timestamp, landed timestamptz, day date, kind text, note text)`)
		enginetest.Exec(t, a, `insert into raw.files values
			(timestamp '2024-03-31 09:00:00', timestamptz '2024-03-31 11:30:00+00', date '2024-03-29', 'hh', 'x'),
			(timestamp '2024-03-30 00:00:00', timestamptz '2024-03-30 00:00:00+00', date '2024-03-30', 'd0010', 'y')`)
		enginetest.Exec(t, a, `create table raw.empty (loaded_at timestamp)`)
		fresh := config.FreshnessDecl{WarnAfter: period(2, "hour"), ErrorAfter: period(1, "day")}
		files := warehouse.Relation{Schema: "raw", Name: "files"}
		cases := []struct {
			name   string
			check  Check
			status Status
			age    time.Duration
			msg    string
		}{
			{"timestamp, warn", Check{Relation: files, LoadedAtField: "loaded_at", Freshness: fresh}, StatusWarn, 3 * time.Hour, "older than warn_after 2 hours"},
			{"timestamptz, pass", Check{Relation: files, LoadedAtField: "landed", Freshness: fresh}, StatusPass, 30 * time.Minute, ""},
			{"date, error", Check{Relation: files, LoadedAtField: "day", Freshness: fresh}, StatusError, 36 * time.Hour, "older than error_after 1 day"},
			{"filter", Check{Relation: files, LoadedAtField: "loaded_at", Freshness: config.FreshnessDecl{ErrorAfter: period(1, "day"), Filter: "kind = 'd0010'"}},
				StatusError, 36 * time.Hour, "older than error_after 1 day"},
			{"expression", Check{Relation: files, LoadedAtField: "cast(landed as timestamp)", Freshness: fresh}, StatusPass, 30 * time.Minute, ""},
			{"empty table", Check{Relation: warehouse.Relation{Schema: "raw", Name: "empty"}, LoadedAtField: "loaded_at", Freshness: fresh},
				StatusError, 0, "no rows: raw.empty has no loaded_at to measure"},
			{"not a time", Check{Relation: files, LoadedAtField: "note", Freshness: fresh}, StatusRuntimeError, 0, "loaded_at_field note is a string (y), not a timestamp"},
			{"missing table", Check{Relation: warehouse.Relation{Schema: "raw", Name: "gone"}, LoadedAtField: "loaded_at", Freshness: fresh}, StatusRuntimeError, 0, "gone"},
		}
		for _, c := range cases {
			r := Measure(ctx, a, a.Dialect(), c.check, now)
			if r.Status != c.status || r.Age != c.age || !strings.Contains(r.Message, c.msg) {
				t.Errorf("%s: %s age %v %q; want %s age %v %q", c.name, r.Status, r.Age, r.Message, c.status, c.age, c.msg)
			}
		}
	})
}
