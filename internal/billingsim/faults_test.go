package billingsim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/httpx"
)

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// Every request fails exactly MaxConsecutive times in a row at rate 1, then
// gets through; the kinds cover the whole list.
func TestFaultsAreBoundedPerRequest(t *testing.T) {
	s, hs := newServer(t, func(c *Config) {
		c.Faults = Faults{Rate: 1, MaxConsecutive: 2, SlowDelay: time.Millisecond,
			Kinds: []string{Fault429, Fault500, Fault502, Fault503, FaultSlow, FaultTruncate}}
	})
	for acct := 1; acct <= 30; acct++ {
		u := fmt.Sprintf("%s/Accounts/%d/SupplyStatus", hs.URL, acct)
		for attempt := 1; attempt <= 3; attempt++ {
			code, body := tryCall(u)
			good := code == 200 && strings.HasPrefix(string(body), `"Tracker`) && strings.HasSuffix(string(body), `"`)
			// Slow faults still answer properly once the stall is over.
			if attempt == 3 && !good {
				t.Fatalf("account %d: third attempt got %d %q", acct, code, body)
			}
		}
	}
	st := s.Stats()
	total := int64(0)
	for _, k := range []string{Fault429, Fault500, Fault502, Fault503, FaultSlow, FaultTruncate} {
		if st.Faults[k] == 0 {
			t.Errorf("no %s faults in 60: %v", k, st.Faults)
		}
		total += st.Faults[k]
	}
	if total != 60 || st.Requests != 90 {
		t.Fatalf("%d faults in %d requests, want 60 in 90", total, st.Requests)
	}
}

// tryCall makes one request and reports a transport failure as code 0.
func tryCall(u string) (int, []byte) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b := make([]byte, 0, 256)
	buf := make([]byte, 256)
	for {
		n, err := resp.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b
}

// Two servers of one seed inject the same faults into the same requests.
func TestFaultsAreDeterministic(t *testing.T) {
	pattern := func() string {
		s, err := New(Config{Seed: 7, Token: testToken, Username: testUser, Password: testPassword,
			Faults: Faults{Rate: 0.3, MaxConsecutive: 3}})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i := 0; i < 200; i++ {
			key := fmt.Sprintf("GET /Accounts/%d/SupplyStatus", i%40)
			fmt.Fprintf(&b, "%s,", s.decide(key, false))
		}
		return b.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Fatal("fault pattern differs between two servers of one seed")
	}
	if strings.Count(a, ",,") == 0 || strings.Count(a, "5") == 0 {
		t.Fatalf("pattern looks wrong: %s", a)
	}
}

// The resilient client gets every response through 20% faults, including
// dropped connections, truncated bodies, 429 bursts and revoked tokens.
func TestResilientClientGetsThroughFaults(t *testing.T) {
	s, hs := newServer(t, func(c *Config) {
		c.Faults = Faults{Rate: 0.2, MaxConsecutive: 3, Burst: 3, SlowDelay: 500 * time.Millisecond}
	})
	red := &httpx.Redactor{}
	opts := func(base string) httpx.Options {
		return httpx.Options{BaseURL: base, Redactor: red, MaxAttempts: 5, BackoffBase: time.Millisecond,
			BackoffMax: 5 * time.Millisecond, Timeout: 200 * time.Millisecond, Seed: 3}
	}
	tokenClient, err := httpx.New(opts(hs.URL + "/api"))
	if err != nil {
		t.Fatal(err)
	}
	grant, err := httpx.NewPasswordGrant(tokenClient, httpx.PasswordGrantOptions{Path: TokenPath, Username: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	io := opts(hs.URL + "/api")
	io.Auth = grant
	internal, err := httpx.New(io)
	if err != nil {
		t.Fatal(err)
	}
	static, err := httpx.NewStaticToken(testToken, red)
	if err != nil {
		t.Fatal(err)
	}
	po := opts(hs.URL)
	po.Auth = static
	public, err := httpx.New(po)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for acct := 1; acct <= 150; acct++ {
		if _, err := public.Do(ctx, httpx.Request{Method: "GET", Path: fmt.Sprintf("/Accounts/%d/MeterPoints?includeHistory=true", acct), JSON: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := internal.Do(ctx, httpx.Request{Method: "POST", Path: fmt.Sprintf("/account/%d/meter-readings?sortField=meterReadingDateTime&sortDirection=Descending&page=1", acct), JSON: true}); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	// Requests are sequential, so the faults are a function of the seed.
	for _, k := range AllFaults {
		if st.Faults[k] == 0 && k != FaultExpire { // revocations: TestRevokedTokensAreRefreshed
			t.Errorf("no %s fault in this run (%v)", k, st.Faults)
		}
	}
	if public.Stats().Retries == 0 || internal.Stats().Retries == 0 {
		t.Fatalf("no retries: %+v %+v", public.Stats(), internal.Stats())
	}
	if st.Faults[FaultExpire] > 0 && grant.Fetches() < 2 {
		t.Fatalf("%d revocations but %d token fetches", st.Faults[FaultExpire], grant.Fetches())
	}
}

func TestFailingAccountsAlwaysFail(t *testing.T) {
	s, hs := newServer(t, func(c *Config) { c.Faults.FailAccounts = []int64{5} })
	for range 3 {
		if code, _ := call(t, "GET", hs.URL+"/Accounts/5/SupplyStatus", testToken, nil); code != 500 {
			t.Fatalf("account 5: %d", code)
		}
	}
	if code, _ := call(t, "GET", hs.URL+"/Accounts/6/SupplyStatus", testToken, nil); code != 200 {
		t.Fatalf("account 6: %d", code)
	}
	if n := len(s.Stats().Faults); n != 0 {
		t.Fatalf("permanent failures counted as injected faults: %v", s.Stats().Faults)
	}
}

func TestRevokedTokensAreRefreshed(t *testing.T) {
	s, hs := newServer(t, func(c *Config) { c.Faults = Faults{Rate: 0.5, Kinds: []string{FaultExpire}} })
	red := &httpx.Redactor{}
	tc, err := httpx.New(httpx.Options{BaseURL: hs.URL + InternalPrefix, Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	grant, err := httpx.NewPasswordGrant(tc, httpx.PasswordGrantOptions{Path: TokenPath, Username: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	c, err := httpx.New(httpx.Options{BaseURL: hs.URL + InternalPrefix, Redactor: red, Auth: grant})
	if err != nil {
		t.Fatal(err)
	}
	for acct := 1; acct <= 30; acct++ {
		if _, err := c.Do(context.Background(), httpx.Request{Method: "GET", Path: fmt.Sprintf("/accounts/%d/estimatedusage", acct), JSON: true}); err != nil {
			t.Fatal(err)
		}
	}
	// The token request itself may be "revoked" harmlessly; count the
	// revocations that hit data requests.
	revoked := s.Stats().Faults[FaultExpire]
	if revoked == 0 || grant.Fetches() < 2 || grant.Fetches() > revoked+1 || c.Stats().Unauthorized == 0 {
		t.Fatalf("%d revocations, %d token fetches, stats %+v", revoked, grant.Fetches(), c.Stats())
	}
}
