package billing

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
)

// The heart of the extractor: with faults on about 20% of requests — 429
// bursts, 5xx, timeouts, dropped connections, truncated JSON, revoked
// tokens — an extract of a few hundred accounts lands exactly the tables
// a fault-free extract lands.
func TestFaultyRunEqualsCleanRun(t *testing.T) {
	const accounts = "1-300"
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			cleanDB, _ := eng.open(t)
			_, cleanURL := sim(t, nil)
			mustExtract(t, cleanDB, cleanURL, accounts, runOpts{})
			want := digest(t, cleanDB)
			if want["raw.billing_meter_readings"] < "2" || strings.HasPrefix(want["raw.billing_meter_readings"], "0 ") {
				t.Fatalf("the clean run landed no readings: %v", want)
			}

			faultyDB, _ := eng.open(t)
			s, faultyURL := sim(t, faulty)
			rep := mustExtract(t, faultyDB, faultyURL, accounts, runOpts{})
			st := s.Stats()
			var injected int64
			for _, k := range billingsim.AllFaults {
				if st.Faults[k] == 0 {
					t.Errorf("no %s fault injected: %v", k, st.Faults)
				}
				injected += st.Faults[k]
			}
			if float64(injected) < 0.1*float64(st.Requests) {
				t.Fatalf("only %d faults in %d requests", injected, st.Requests)
			}
			if rep.Count(extract.UnitCommitted) != 300 {
				t.Fatalf("committed %d accounts", rep.Count(extract.UnitCommitted))
			}
			sameDigest(t, "faulty run", digest(t, faultyDB), want)
		})
	}
}

// Killing the extract part-way (here: cancelling its context at a random
// request, as Ctrl-C does) and rerunning ends with the tables of one clean
// run: nothing half-written, nothing duplicated.
func TestInterruptedExtractThenRerunEqualsCleanRun(t *testing.T) {
	const accounts = "1-80"
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			cleanDB, _ := eng.open(t)
			_, url := sim(t, nil)
			mustExtract(t, cleanDB, url, accounts, runOpts{})
			want := digest(t, cleanDB)

			rng := rand.New(rand.NewPCG(uint64(len(eng.name)), 42))
			for round := 0; round < 3; round++ {
				db, _ := eng.open(t)
				_, faultyURL := sim(t, faulty)
				ctx, cancel := context.WithCancel(context.Background())
				stopAt := 50 + rng.Int64N(700) // of ~1000 requests
				ct := &countingTransport{rt: http.DefaultTransport.(*http.Transport).Clone(), at: func(n int64) {
					if n == stopAt {
						cancel()
					}
				}}
				rep, err := extractAccounts(ctx, t, db, faultyURL, accounts, runOpts{transport: ct})
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("round %d: the run was not interrupted (err %v)", round, err)
				}
				if rep.Count(extract.UnitFailed) != 0 || count(t, db, "select count(*) from raw.extract_failures") != 0 {
					t.Fatalf("round %d: interruption recorded as failure: %+v", round, rep.Failed())
				}
				done := rep.Count(extract.UnitCommitted)
				got := count(t, db, "select count(distinct account_id) from raw.billing_account_status")
				if got != int64(done) {
					t.Fatalf("round %d: %d accounts in the tables, %d committed", round, got, done)
				}
				mustExtract(t, db, faultyURL, accounts, runOpts{})
				sameDigest(t, fmt.Sprintf("round %d (stopped at request %d after %d accounts)", round, stopAt, done), digest(t, db), want)
			}
		})
	}
}

// A second daily run with no new data fetches one readings page per
// account and writes nothing; when the platform has new readings, the
// incremental run ends exactly where a full extract of the new data does.
func TestDailyRunsAreIncremental(t *testing.T) {
	const accounts = "1-60"
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			db, _ := eng.open(t)
			s, url := sim(t, nil)
			first := mustExtract(t, db, url, accounts, runOpts{})
			before := digest(t, db)
			byRoute := s.Stats().ByRoute

			second := mustExtract(t, db, url, accounts, runOpts{})
			after := s.Stats().ByRoute
			if n := after["readings"] - byRoute["readings"]; n != 60 {
				t.Errorf("second run fetched %d readings pages for 60 accounts, want 60", n)
			}
			if second.Count(extract.UnitUnchanged) != 60 || len(second.StreamRows) != 0 {
				t.Fatalf("second run wrote something: %+v", second.StreamRows)
			}
			sameDigest(t, "second run", digest(t, db), before)
			for _, table := range []string{"billing_meter_readings", "billing_responses", "billing_meterpoints", "extract_cursors"} {
				if n := count(t, db, fmt.Sprintf("select count(*) from raw.%s where load_id <> '%s'", table, first.LoadID)); n != 0 {
					t.Errorf("%s: %d rows rewritten by the second run", table, n)
				}
			}

			// Two months later: new readings. The incremental run fetches
			// a page or two per account and matches a fresh full extract.
			_, laterURL := sim(t, func(c *billingsim.Config) { c.AsOf = billingsim.DefaultAsOf.AddDate(0, 2, 0) })
			third := mustExtract(t, db, laterURL, accounts, runOpts{})
			if third.StreamRows[tMeterReadings] == 0 {
				t.Fatal("no new readings")
			}
			freshDB, _ := eng.open(t)
			mustExtract(t, freshDB, laterURL, accounts, runOpts{})
			want, got := digest(t, freshDB), digest(t, db)
			// Only the responses and cursors differ: the incremental run
			// kept the older pages and fetched fewer.
			for _, k := range []string{"raw.billing_responses", "raw.extract_cursors"} {
				delete(want, k)
				delete(got, k)
			}
			sameDigest(t, "incremental vs full", got, want)
			if n := count(t, db, "select count(*) from (select account_id, register_reading_id from raw.billing_meter_readings group by 1, 2 having count(*) > 1) d"); n != 0 {
				t.Fatalf("%d duplicated readings", n)
			}
			// --full-refresh rewrites everything and changes nothing.
			mustExtract(t, db, laterURL, accounts, runOpts{fullRefresh: true})
			got = digest(t, db)
			delete(got, "raw.billing_responses")
			delete(got, "raw.extract_cursors")
			sameDigest(t, "full refresh", got, want)
		})
	}
}

// Accounts that keep failing are recorded with their error and attempts,
// listed in the run's results, and retried by the next run even when it
// is not asked for them.
func TestFailedAccountsAreRecordedAndRetried(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			db, _ := eng.open(t)
			_, brokenURL := sim(t, func(c *billingsim.Config) { c.Faults.FailAccounts = []int64{3, 7} })
			for run := 1; run <= 2; run++ {
				rep, err := extractAccounts(context.Background(), t, db, brokenURL, "1-10", runOpts{})
				if err != nil {
					t.Fatal(err)
				}
				failed := rep.Failed()
				if len(failed) != 2 || failed[0].Unit != "3" || failed[1].Unit != "7" || failed[0].Attempts != int64(run) ||
					!strings.Contains(failed[0].Err.Error(), "HTTP 500 after 6 attempts") {
					t.Fatalf("run %d: failed %+v", run, failed)
				}
			}
			if got := count(t, db, "select count(*) from raw.billing_account_status where account_id in (3, 7)"); got != 0 {
				t.Fatalf("a failed account left %d rows", got)
			}
			_, url := sim(t, nil)
			rep := mustExtract(t, db, url, "1-2", runOpts{})
			if rep.Count(extract.UnitCommitted) != 2 || rep.Count(extract.UnitUnchanged) != 2 {
				t.Fatalf("retry run: %+v", rep.Results)
			}
			for _, r := range rep.Results {
				if (r.Unit == "3" || r.Unit == "7") != r.Retried {
					t.Errorf("unit %s retried=%v", r.Unit, r.Retried)
				}
			}
			if count(t, db, "select count(*) from raw.extract_failures") != 0 || count(t, db, "select count(distinct account_id) from raw.billing_account_status") != 10 {
				t.Fatal("the failed accounts were not recovered")
			}
		})
	}
}

// A body that is not JSON however often it is asked for is quarantined
// with its request, and its account fails (to be retried next run).
func TestUnreadableBodiesAreQuarantined(t *testing.T) {
	db, _ := engines()[0].open(t)
	_, url := sim(t, func(c *billingsim.Config) {
		c.Faults = billingsim.Faults{Rate: 1, Kinds: []string{billingsim.FaultTruncate}, MaxConsecutive: 100}
	})
	rep, err := extractAccounts(context.Background(), t, db, url, "1-4", runOpts{settings: "entities: [account_status]\n", attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed()) != 4 {
		t.Fatalf("results %+v", rep.Results)
	}
	res, err := db.Query(context.Background(), "select file_name, line_no, raw_text, reason from raw.rejected_records where extractor = 'billing' order by file_name", -1)
	if err != nil {
		t.Fatal(err)
	}
	// Half the truncations cut the connection (a transport error, not
	// quarantined), half end cleanly with half a body.
	if len(res.Rows) == 0 {
		t.Fatal("nothing quarantined")
	}
	for _, row := range res.Rows {
		if !strings.HasPrefix(row[0].(string), "GET /Accounts/") || !strings.HasPrefix(row[2].(string), `"Tracker`) ||
			!strings.Contains(row[3].(string), "not valid JSON after 2 attempts") {
			t.Errorf("quarantined %v", row)
		}
	}
	if n := count(t, db, "select count(*) from raw.extract_failures where extractor = 'billing'"); n != 4 {
		t.Fatalf("%d failures recorded", n)
	}
}

// No credential reaches the warehouse: not in error messages, not in
// quarantined bodies, not in any stored text — whatever faults occur.
func TestSecretsNeverReachTheWarehouse(t *testing.T) {
	db, _ := engines()[0].open(t)
	s, url := sim(t, func(c *billingsim.Config) {
		faulty(c)
		c.Faults.FailAccounts = []int64{2}
	})
	rep, err := extractAccounts(context.Background(), t, db, url, "1-40", runOpts{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := append(s.Secrets(), simUser)
	if len(secrets) < 4 {
		t.Fatalf("no access tokens issued? %v", len(secrets))
	}
	var texts []string
	for _, r := range rep.Results {
		if r.Err != nil {
			texts = append(texts, r.Err.Error())
		}
	}
	for table, cols := range digested() {
		res, err := db.Query(context.Background(), "select "+strings.Join(cols, ", ")+" from "+table, -1)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range res.Rows {
			texts = append(texts, fmt.Sprint(row...))
		}
	}
	all := strings.Join(texts, "\n")
	for _, sec := range secrets {
		if strings.Contains(all, sec) {
			t.Errorf("secret %q…%q found in the warehouse or an error", sec[:2], sec[len(sec)-2:])
		}
	}
	if len(rep.Failed()) != 1 {
		t.Fatalf("want account 2 failed: %+v", rep.Failed())
	}
}
