package billingsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/mpan"
)

const (
	testToken    = "test-public-token-1"
	testUser     = "svc-cdw"
	testPassword = "test-password-1"
)

func newServer(t *testing.T, mod func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	cfg := Config{Seed: 1, Accounts: 200, Token: testToken, Username: testUser, Password: testPassword}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

// call makes one request and returns status and body.
func call(t *testing.T, method, u, bearer string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if method == "POST" && body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func login(t *testing.T, base string) string {
	t.Helper()
	form := url.Values{"username": {testUser}, "password": {testPassword}, "grant_type": {"password"}}
	code, b := call(t, "POST", base+"/api/Token", "", strings.NewReader(form.Encode()))
	if code != 200 {
		t.Fatalf("token: %d %s", code, b)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &tr); err != nil || tr.AccessToken == "" || tr.ExpiresIn != 3600 {
		t.Fatalf("token response %s", b)
	}
	return tr.AccessToken
}

// allReadings pages through an account's readings.
func allReadings(t *testing.T, base, tok string, acct int) (pages []ReadingsPage) {
	t.Helper()
	for page := 1; ; page++ {
		code, b := call(t, "POST", fmt.Sprintf("%s/api/account/%d/meter-readings?sortField=meterReadingDateTime&sortDirection=Descending&page=%d", base, acct, page), tok, nil)
		if code != 200 {
			t.Fatalf("page %d: %d %s", page, code, b)
		}
		var p ReadingsPage
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		if page >= p.TotalPages {
			return pages
		}
	}
}

func TestMPRNCheckDigits(t *testing.T) {
	valid := []string{"3938424403", "1000000109"} // the first from a published worked example
	for _, s := range valid {
		if !ValidMPRN(s) {
			d, _ := MPRNCheckDigits(s[:len(s)-2])
			t.Errorf("%s should be valid (check digits %s)", s, d)
		}
	}
	for _, s := range []string{"3938424404", "39384244", "12", "39384244x3", "123456789012"} {
		if ValidMPRN(s) {
			t.Errorf("%s should be invalid", s)
		}
	}
}

func TestAuthentication(t *testing.T) {
	now := time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)
	_, hs := newServer(t, func(c *Config) { c.Now = func() time.Time { return now } })
	mp := hs.URL + "/Accounts/1/MeterPoints?includeHistory=true"
	if code, _ := call(t, "GET", mp, "", nil); code != 401 {
		t.Errorf("public API without a token: %d", code)
	}
	if code, _ := call(t, "GET", mp, "wrong", nil); code != 401 {
		t.Errorf("public API with a wrong token: %d", code)
	}
	if code, _ := call(t, "GET", mp, testToken, nil); code != 200 {
		t.Errorf("public API with the token: %d", code)
	}
	est := hs.URL + "/api/accounts/1/estimatedusage"
	if code, _ := call(t, "GET", est, testToken, nil); code != 401 {
		t.Errorf("internal API with the public token: %d", code)
	}
	bad := url.Values{"username": {testUser}, "password": {"nope"}, "grant_type": {"password"}}
	if code, b := call(t, "POST", hs.URL+"/api/Token", "", strings.NewReader(bad.Encode())); code != 400 || !strings.Contains(string(b), "invalid_grant") {
		t.Errorf("wrong password: %d %s", code, b)
	}
	tok := login(t, hs.URL)
	if code, _ := call(t, "GET", est, tok, nil); code != 200 {
		t.Errorf("internal API with an issued token: %d", code)
	}
	now = now.Add(61 * time.Minute)
	if code, _ := call(t, "GET", est, tok, nil); code != 401 {
		t.Errorf("internal API with an expired token: %d", code)
	}
}

func TestNotFound(t *testing.T) {
	_, hs := newServer(t, nil)
	tests := []string{
		"/Accounts/0/MeterPoints", "/Accounts/201/MeterPoints", "/Accounts/x/SupplyStatus",
		"/Accounts/1/MeterPoints/300000020/Readings", // account 2's point
	}
	for _, p := range tests {
		if code, _ := call(t, "GET", hs.URL+p, testToken, nil); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

func TestPagingCoversEveryReadingOnceNewestFirst(t *testing.T) {
	_, hs := newServer(t, nil)
	tok := login(t, hs.URL)
	for _, acct := range []int{1, 2, 3, 50} {
		pages := allReadings(t, hs.URL, tok, acct)
		var items []Reading
		for i, p := range pages {
			if p.Page != i+1 || p.ItemsPerPage != 25 || (i < len(pages)-1 && len(p.Items) != 25) {
				t.Fatalf("account %d page %d: %+v", acct, i+1, p)
			}
			items = append(items, p.Items...)
		}
		if len(items) != pages[0].Total || pages[0].TotalPages != (pages[0].Total+24)/25 {
			t.Fatalf("account %d: %d items, total %d, pages %d", acct, len(items), pages[0].Total, pages[0].TotalPages)
		}
		seen := map[int64]bool{}
		for i, it := range items {
			if seen[it.RegisterReadingID] || it.AccountID != int64(acct) {
				t.Fatalf("account %d: duplicate or foreign reading %+v", acct, it)
			}
			seen[it.RegisterReadingID] = true
			if i > 0 && it.MeterReadingDateTime > items[i-1].MeterReadingDateTime {
				t.Fatalf("account %d: not newest first at %d", acct, i)
			}
			if it.MeterReadingCreatedDate > fmtCreated(DefaultAsOf) {
				t.Fatalf("account %d: reading created after as-of: %+v", acct, it)
			}
		}
		code, b := call(t, "POST", fmt.Sprintf("%s/api/account/%d/meter-readings?sortField=meterReadingDateTime&sortDirection=Descending&page=%d", hs.URL, acct, len(pages)+1), tok, nil)
		if code != 200 || !strings.Contains(string(b), `"items":[]`) {
			t.Fatalf("page past the end: %d %s", code, b)
		}
	}
	if code, _ := call(t, "POST", hs.URL+"/api/account/1/meter-readings?sortField=readingValue&sortDirection=Descending", tok, nil); code != 400 {
		t.Errorf("unsupported sort field: %d", code)
	}
}

// A later as-of only adds readings; every earlier one is unchanged.
func TestLaterAsOfOnlyAddsReadings(t *testing.T) {
	_, early := newServer(t, nil)
	_, late := newServer(t, func(c *Config) { c.AsOf = DefaultAsOf.AddDate(0, 2, 0) })
	for _, acct := range []int{4, 5, 6} {
		var a, b []Reading
		for _, p := range allReadings(t, early.URL, login(t, early.URL), acct) {
			a = append(a, p.Items...)
		}
		for _, p := range allReadings(t, late.URL, login(t, late.URL), acct) {
			b = append(b, p.Items...)
		}
		if len(b) <= len(a) {
			t.Fatalf("account %d: %d readings later vs %d before", acct, len(b), len(a))
		}
		later := map[int64]Reading{}
		for _, r := range b {
			later[r.RegisterReadingID] = r
		}
		for _, r := range a {
			if later[r.RegisterReadingID] != r {
				t.Fatalf("account %d: reading %d changed", acct, r.RegisterReadingID)
			}
		}
	}
}

func TestResponsesAreDeterministic(t *testing.T) {
	_, a := newServer(t, nil)
	_, b := newServer(t, nil)
	_, c := newServer(t, func(c *Config) { c.Seed = 2 })
	for _, p := range []string{"/Accounts/9/MeterPoints?includeHistory=true", "/Accounts/9/TariffsWithHistory", "/Accounts/9/SupplyStatus"} {
		_, x := call(t, "GET", a.URL+p, testToken, nil)
		_, y := call(t, "GET", b.URL+p, testToken, nil)
		_, z := call(t, "GET", c.URL+p, testToken, nil)
		if string(x) != string(y) {
			t.Errorf("%s differs between two servers of one seed", p)
		}
		if strings.HasSuffix(p, "MeterPoints?includeHistory=true") && string(x) == string(z) {
			t.Errorf("%s is the same for two seeds", p)
		}
	}
}

// The generated world has what the extractor and the models must cope with.
func TestDataIsRealistic(t *testing.T) {
	s, err := New(Config{Seed: 1, Accounts: 300, Token: testToken, Username: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for id := int64(1); id <= 300; id++ {
		a := s.account(id)
		for i, mp := range a.points {
			n := strconv.FormatInt(mp.MeterPointNumber, 10)
			switch mp.MeterPointType {
			case "E":
				seen["elec"]++
				if !mpan.Valid(n) {
					t.Errorf("account %d: invalid MPAN %s", id, n)
				}
			case "G":
				seen["gas"]++
				if !ValidMPRN(n) {
					t.Errorf("account %d: invalid MPRN %s", id, n)
				}
			}
			if !a.current[i] {
				seen["ended association"]++
			}
			if mp.AssociationEndDate == "" {
				seen[`"" end date`]++
			}
			if mp.AssociationEndDate == nil {
				seen["null end date"]++
			}
			if len(mp.Meters) == 2 {
				seen["meter exchange"]++
			}
			if len(mp.Meters[0].Registers) == 2 {
				seen["two-rate"]++
			}
		}
		last := map[int64]Reading{} // register → previous (older) valid actual
		rs := s.visible(a)
		for i := len(rs) - 1; i >= 0; i-- {
			r := rs[i]
			seen[r.MeterReadingTypeUID+"/"+r.MeterReadingStatusUID]++
			if r.MeterReadingStatusUID != "VALID" {
				continue
			}
			if p, ok := last[r.RegisterID]; ok && r.ReadingValue < p.ReadingValue && r.MeterReadingTypeUID != "INITIAL" {
				seen["rollover"]++
			}
			last[r.RegisterID] = r
		}
		for j := 1; j < len(rs); j++ {
			if rs[j].MeterReadingDateTime == rs[j-1].MeterReadingDateTime && rs[j].RegisterID == rs[j-1].RegisterID {
				seen["same-day reads"]++
			}
		}
	}
	for _, k := range []string{"elec", "gas", "ended association", `"" end date`, "null end date", "meter exchange", "two-rate",
		"ACTUAL/VALID", "ACTUAL/INVALID", "ESTIMATED/VALID", "ESTIMATED/INVALID", "FINAL/VALID", "INITIAL/UNVALIDATED", "rollover", "same-day reads"} {
		if seen[k] == 0 {
			t.Errorf("no %s in 300 accounts (seen %v)", k, seen)
		}
	}
}

func TestBillableReadingsGroupEventsOfOnePoint(t *testing.T) {
	s, hs := newServer(t, nil)
	a := s.account(3)
	mp := a.points[0].ID
	code, b := call(t, "GET", fmt.Sprintf("%s/Accounts/3/MeterPoints/%d/Readings?isBilleable=true", hs.URL, mp), testToken, nil)
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var events []BillableReading
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range s.visible(a) {
		if r.MeterPointID == mp && r.Billable {
			want++
		}
	}
	got := 0
	for _, e := range events {
		if e.MeterPointID != mp || len(e.Readings) == 0 {
			t.Fatalf("event %+v", e)
		}
		got += len(e.Readings)
	}
	if got != want || want == 0 {
		t.Fatalf("%d register values, want %d", got, want)
	}
}

func TestSupplyStatusIsABareString(t *testing.T) {
	_, hs := newServer(t, nil)
	_, b := call(t, "GET", hs.URL+"/Accounts/1/SupplyStatus", testToken, nil)
	var s string
	if err := json.Unmarshal(b, &s); err != nil || !strings.HasPrefix(s, "Tracker.Registration.") {
		t.Fatalf("%s", b)
	}
}

func TestServeStopsWithTheContext(t *testing.T) {
	s, err := New(Config{Token: testToken, Username: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	if code, _ := call(t, "GET", "http://"+ln.Addr().String()+"/Accounts/1/SupplyStatus", testToken, nil); code != 200 {
		t.Fatalf("status %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := Config{Token: "t0k3n", Username: "u", Password: "p4ss"}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"no token", func(c *Config) { c.Token = "" }},
		{"no password", func(c *Config) { c.Password = "" }},
		{"as-of too early", func(c *Config) { c.AsOf = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC) }},
		{"too many accounts", func(c *Config) { c.Accounts = 100_000 }},
		{"fault rate above 1", func(c *Config) { c.Faults.Rate = 1.5 }},
	}
	for _, tc := range tests {
		c := base
		tc.mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := ParseFaultKinds("500,slow"); err != nil {
		t.Error(err)
	}
	if k, err := ParseFaultKinds("all"); err != nil || !slices.Equal(k, AllFaults) {
		t.Errorf("all: %v %v", k, err)
	}
	if _, err := ParseFaultKinds("500,teapot"); err == nil || !strings.Contains(err.Error(), "teapot") {
		t.Errorf("unknown kind: %v", err)
	}
}
