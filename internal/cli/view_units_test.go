package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
)

// viewPlan is a UnitPlan with fixed units and counters.
type viewPlan struct{ n int }

func (p viewPlan) Units() []string {
	u := make([]string, p.n)
	for i := range u {
		u[i] = fmt.Sprint(i + 1)
	}
	return u
}
func (viewPlan) Summary() string                                                   { return "" }
func (viewPlan) Concurrency() int                                                  { return 1 }
func (viewPlan) ExtractUnit(context.Context, extract.Unit, extract.UnitSink) error { return nil }
func (viewPlan) Counters() extract.Counters                                        { return extract.Counters{Requests: 77, Retries: 5} }
func (viewPlan) Close() error                                                      { return nil }

func TestUnitViewLinesEveryTenth(t *testing.T) {
	var out bytes.Buffer
	v := newUnitView(&out, "billing", viewPlan{n: 25}, false)
	for i := 1; i <= 25; i++ {
		st := extract.UnitCommitted
		if i == 7 {
			st = extract.UnitFailed
		}
		v.event(extract.UnitEvent{Result: extract.UnitResult{Status: st}, Done: i, Total: 25, Rows: int64(i * 10)})
	}
	v.finish()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	// Every 3 accounts (25/10 rounded up), and the last.
	if len(lines) != 9 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	if !strings.HasPrefix(lines[0], "  3/25 accounts (12%), 30 rows, 77 requests, 5 retries, ") || !strings.Contains(lines[0], "accounts/s, ETA ") ||
		strings.Contains(lines[0], "failed") {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.HasPrefix(lines[2], "  9/25 accounts (36%), 90 rows, 77 requests, 5 retries, 1 failed, ") {
		t.Errorf("third line %q", lines[2])
	}
	if !strings.HasPrefix(lines[8], "  25/25 accounts (100%), 250 rows, 77 requests, 5 retries, 1 failed, ") || strings.Contains(lines[8], "ETA") {
		t.Errorf("last line %q", lines[8])
	}
}

func TestUnitViewBarRedrawsInPlace(t *testing.T) {
	var out syncBuffer
	v := newUnitView(&out, "billing", viewPlan{n: 4}, true)
	for i := 1; i <= 4; i++ {
		v.event(extract.UnitEvent{Result: extract.UnitResult{Status: extract.UnitCommitted}, Done: i, Total: 4, Rows: 5})
	}
	v.finish()
	s := out.String()
	if strings.Count(s, "\r\033[K") < 5 || !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Fatalf("bar output %q", s)
	}
	last := s[strings.LastIndex(s, "\r\033[K"):]
	if !strings.Contains(last, "billing ████████████████████████ 4/4 accounts (100%), 5 rows, 77 requests, 5 retries") {
		t.Fatalf("final bar %q", last)
	}
}

// Ctrl-C (the context ending) stops the extract with exit 130, keeps every
// account finished before it, and a rerun completes the rest.
func TestExtractBillingInterruptedResumes(t *testing.T) {
	sim, err := billingsim.New(billingsim.Config{Seed: 4, Accounts: 60, Token: billingEnv["CDW_BILLING_TOKEN"],
		Username: billingEnv["CDW_BILLING_USERNAME"], Password: billingEnv["CDW_BILLING_PASSWORD"],
		Faults: billingsim.Faults{Rate: 0.3, Kinds: []string{billingsim.FaultSlow}, SlowDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sim)
	defer hs.Close()
	env := withURL(hs.URL)
	dir := copyProject(t)
	mustCdw(t, dir, env, "migrate", "up")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for sim.Stats().Requests < 150 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	code, out, errOut := cdwAll(ctx, t, dir, env, "extract", "billing", "--accounts", "1-60")
	if code != ExitInterrupted || !strings.Contains(errOut, "interrupted") ||
		!strings.Contains(out, "billing: interrupted: every account finished before the interruption is committed; run again to resume") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	out = mustCdw(t, dir, env, "extract", "billing", "--accounts", "1-60")
	if !strings.Contains(out, ", 0 failed, 0 interrupted;") || strings.Contains(out, " 0 loaded (") {
		t.Fatalf("rerun:\n%s", out)
	}
	show := mustCdw(t, dir, env, "show", "--output", "csv", "--inline", "select count(distinct account_id) as n from raw.billing_account_status")
	if show != "n\n60\n" {
		t.Fatalf("accounts after the rerun: %s", show)
	}
}
