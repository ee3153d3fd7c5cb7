package billing

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Environment of the helper process of TestKilledProcessThenRerunEqualsCleanRun.
const (
	helperEnv = "CDW_BILLING_KILL_HELPER" // set: this process is the helper
	helperDB  = "CDW_BILLING_KILL_DB"     // engine name and location, "duckdb /path"
	helperURL = "CDW_BILLING_KILL_URL"    // the simulator
)

// TestKillHelper is not a test of its own: run by
// TestKilledProcessThenRerunEqualsCleanRun in a child process, it extracts
// until it is killed.
func TestKillHelper(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("helper process only")
	}
	var name, dsn string
	if _, err := fmt.Sscanf(os.Getenv(helperDB), "%s %s", &name, &dsn); err != nil {
		t.Fatal(err)
	}
	a := engineNamed(name).connect(t, dsn)
	_, _ = extractAccounts(context.Background(), t, a, os.Getenv(helperURL), "1-80", runOpts{})
	t.Fatal("the helper was meant to be killed before it finished")
}

// Killing the process (SIGKILL: no deferred cleanup, no rollback) in the
// middle of an extract and rerunning ends with the tables of one clean run.
func TestKilledProcessThenRerunEqualsCleanRun(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("in the helper")
	}
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			cleanDB, _ := eng.open(t)
			_, cleanURL := sim(t, nil)
			mustExtract(t, cleanDB, cleanURL, "1-80", runOpts{})
			want := digest(t, cleanDB)

			db, dsn := eng.open(t)
			if err := db.Close(); err != nil { // the child needs the DuckDB file to itself
				t.Fatal(err)
			}
			s, url := sim(t, func(c *billingsim.Config) {
				faulty(c)
				c.Faults.SlowDelay = 50 * time.Millisecond // slow, not timing out: the helper must not finish too soon
			})
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"=1", helperDB+"="+eng.name+" "+dsn, helperURL+"="+url)
			out := &lockedBuffer{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once it is well into the accounts (of ~1000 requests).
			deadline := time.Now().Add(2 * time.Minute)
			for s.Stats().Requests < 500 {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("the helper made %d requests in 2 minutes:\n%s", s.Stats().Requests, out)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if cmd.ProcessState.Success() {
				t.Fatalf("the helper finished before it was killed:\n%s", out)
			}

			a := eng.connect(t, dsn)
			done := count(t, a, "select count(distinct unit) from raw.extract_cursors")
			if done == 0 || done >= 80 {
				t.Fatalf("killed after %d of 80 accounts; want part-way:\n%s", done, out)
			}
			if n := count(t, a, "select count(distinct account_id) from raw.billing_account_status"); n != done {
				t.Fatalf("%d accounts have rows, %d have cursors: a half-written account", n, done)
			}
			t.Logf("killed after %d of 80 accounts", done)
			rep := mustExtract(t, a, url, "1-80", runOpts{})
			if rep.Count(extract.UnitCommitted) != 80-int(done) {
				t.Fatalf("the rerun committed %d accounts, want %d", rep.Count(extract.UnitCommitted), 80-done)
			}
			sameDigest(t, fmt.Sprintf("killed after %d accounts, then rerun", done), digest(t, a), want)
		})
	}
}
