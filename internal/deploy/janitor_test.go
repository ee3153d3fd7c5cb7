package deploy

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func TestJanitorDropsOnlyStaleRegisteredSchemas(t *testing.T) {
	ctx := context.Background()
	a, err := postgres.Open(ctx, postgres.Options{URL: testenv.PostgresURL(t), MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, s := range []string{"cdw_pr_1", "cdw_pr_1_staging", "cdw_pr_12", "cdw_pr_2", "cdw"} {
		if err := a.Exec(ctx, "create schema "+s+"; create table "+s+".t (a int)"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	reg := func(schema string, at time.Time) {
		t.Helper()
		if err := RegisterSchema(ctx, a, schema, "ci", "pull request #"+strings.TrimPrefix(schema, "cdw_pr_"), at); err != nil {
			t.Fatal(err)
		}
	}
	reg("cdw_pr_1", now.Add(-10*24*time.Hour))
	reg("cdw_pr_12", now.Add(-9*24*time.Hour))
	reg("cdw_pr_12", now.Add(-1*time.Hour)) // used again: no longer stale
	reg("cdw_pr_2", now.Add(-8*24*time.Hour))
	reg("cdw_pr_gone", now.Add(-30*24*time.Hour)) // registered, schema already dropped
	reg("cdw", now.Add(-30*24*time.Hour))         // registered by mistake, but without the prefix

	stale, err := StaleSchemas(ctx, a, "cdw_pr_", 7*24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stale {
		got = append(got, s.Schema+"="+strings.Join(s.Drop, "+"))
	}
	// Oldest first; cdw_pr_1 takes its custom schema but not cdw_pr_12;
	// the unregistered cdw schema is never listed.
	if want := "cdw_pr_gone=,cdw_pr_1=cdw_pr_1+cdw_pr_1_staging,cdw_pr_2=cdw_pr_2"; strings.Join(got, ",") != want {
		t.Fatalf("stale = %v\nwant %s", got, want)
	}
	if !stale[1].LastUsed.Equal(now.Add(-10*24*time.Hour)) || stale[1].Ref != "pull request #1" || stale[1].Environment != "ci" {
		t.Fatalf("stale[1] = %+v", stale[1])
	}
	for _, s := range stale {
		if err := DropStale(ctx, a, s); err != nil {
			t.Fatal(err)
		}
	}
	res, err := a.Query(ctx, "select string_agg(nspname, ',' order by nspname) from pg_namespace where nspname like 'cdw%'", -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != "cdw,cdw_meta,cdw_pr_12" {
		t.Fatalf("schemas left: %v", res.Rows[0][0])
	}
	if _, err := StaleSchemas(ctx, a, "", time.Hour, now); err == nil {
		t.Fatal("an empty prefix would match every registered schema")
	}
	if again, err := StaleSchemas(ctx, a, "cdw_pr_", 7*24*time.Hour, now); err != nil || len(again) != 0 {
		t.Fatalf("after dropping: %v %v", again, err)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0d", "-1d", "7x", "d", "seven days"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
}
