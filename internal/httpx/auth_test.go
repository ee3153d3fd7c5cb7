package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// tokenServer issues tokens t1, t2, ... at /api/Token for the right
// credentials and serves /api/data to the current token only.
type tokenServer struct {
	mu        sync.Mutex
	issued    int
	current   string
	ttl       int64
	forms     []map[string]string
	referers  []string
	failNext  int  // token requests to answer 503 first
	rejected  int  // 401s sent
	rejectAll bool // answer every data request 401, echoing its token
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/api/Token":
		if s.failNext > 0 {
			s.failNext--
			w.WriteHeader(503)
			fmt.Fprintf(w, "echo: %s", r.Header.Get("Content-Type"))
			return
		}
		_ = r.ParseForm()
		s.forms = append(s.forms, map[string]string{"username": r.PostForm.Get("username"), "password": r.PostForm.Get("password"), "grant_type": r.PostForm.Get("grant_type")})
		s.referers = append(s.referers, r.Header.Get("Referer"))
		if r.PostForm.Get("username") != "svc" || r.PostForm.Get("password") != "pw-secret-9" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":"invalid_grant","password":%q}`, r.PostForm.Get("password"))
			return
		}
		s.issued++
		s.current = fmt.Sprintf("access-token-%d", s.issued)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": s.current, "token_type": "bearer", "expires_in": s.ttl})
	case "/api/data":
		if s.rejectAll || r.Header.Get("Authorization") != "Bearer "+s.current {
			s.rejected++
			w.WriteHeader(401)
			fmt.Fprintf(w, "rejected %s", r.Header.Get("Authorization"))
			return
		}
		fmt.Fprint(w, `{"data":1}`)
	}
}

func (s *tokenServer) revoke() { s.mu.Lock(); s.current = "revoked"; s.mu.Unlock() }

func newGrant(t *testing.T, url, password string, now func() time.Time) (*Client, *PasswordGrant) {
	t.Helper()
	red := &Redactor{}
	tc, _ := newClient(t, url+"/api", func(o *Options) { o.Redactor = red })
	g, err := NewPasswordGrant(tc, PasswordGrantOptions{Path: "/Token", Username: "svc", Password: password, Referer: "https://billing.example", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, url+"/api", func(o *Options) { o.Auth, o.Redactor = g, red })
	return c, g
}

func TestPasswordGrantSharesOneTokenAcrossGoroutines(t *testing.T) {
	ts := &tokenServer{ttl: 3600}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c, g := newGrant(t, srv.URL, "pw-secret-9", nil)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data", JSON: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if g.Fetches() != 1 || len(ts.forms) != 1 {
		t.Fatalf("fetched %d tokens for concurrent requests, want 1", g.Fetches())
	}
	want := map[string]string{"username": "svc", "password": "pw-secret-9", "grant_type": "password"}
	if fmt.Sprint(ts.forms[0]) != fmt.Sprint(want) || ts.referers[0] != "https://billing.example" {
		t.Fatalf("form %v referer %q", ts.forms[0], ts.referers[0])
	}
}

func TestPasswordGrantRefreshesBeforeExpiry(t *testing.T) {
	ts := &tokenServer{ttl: 600}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c, g := newGrant(t, srv.URL, "pw-secret-9", func() time.Time { return now })
	get := func() {
		t.Helper()
		if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data"}); err != nil {
			t.Fatal(err)
		}
	}
	get()
	now = now.Add(8 * time.Minute) // 2 minutes left: still good
	get()
	if g.Fetches() != 1 {
		t.Fatalf("fetches %d, want 1", g.Fetches())
	}
	now = now.Add(90 * time.Second) // 30 s left, inside the 1 minute margin
	get()
	if g.Fetches() != 2 || ts.rejected != 0 {
		t.Fatalf("fetches %d (want 2), 401s %d (want none: refreshed before expiry)", g.Fetches(), ts.rejected)
	}
}

func TestPasswordGrantRefreshesOn401(t *testing.T) {
	ts := &tokenServer{ttl: 3600}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c, g := newGrant(t, srv.URL, "pw-secret-9", nil)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data"}); err != nil {
		t.Fatal(err)
	}
	ts.revoke()
	resp, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Fetches() != 2 || resp.Attempts != 1 || c.Stats().Unauthorized != 1 {
		t.Fatalf("fetches %d, attempts %d, stats %+v", g.Fetches(), resp.Attempts, c.Stats())
	}
}

func TestPasswordGrantTokenEndpointIsRetried(t *testing.T) {
	ts := &tokenServer{ttl: 3600, failNext: 2}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	c, g := newGrant(t, srv.URL, "pw-secret-9", nil)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data"}); err != nil {
		t.Fatal(err)
	}
	if g.Fetches() != 1 {
		t.Fatalf("fetches %d", g.Fetches())
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	ts := &tokenServer{ttl: 3600}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	// A wrong password: the server echoes it back in its error body.
	c, _ := newGrant(t, srv.URL, "wrong-pw-secret", nil)
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/data"})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 400 {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "wrong-pw-secret") || strings.Contains(err.Error(), "svc") {
		t.Fatalf("credentials in %q", err)
	}
	// Every token rejected: a new token per 401, MaxAttempts (4) times,
	// then the 401 is final, and its body, which echoes the token, is
	// redacted.
	ts.mu.Lock()
	ts.rejectAll = true
	ts.mu.Unlock()
	c2, g2 := newGrant(t, srv.URL, "pw-secret-9", nil)
	_, err = c2.Do(context.Background(), Request{Method: "GET", Path: "/data"})
	if !errors.As(err, &se) || se.Status != 401 || g2.Fetches() != 5 || ts.rejected != 5 {
		t.Fatalf("err %v after %d token fetches and %d 401s; want a final 401 after the first token and 4 more", err, g2.Fetches(), ts.rejected)
	}
	if strings.Contains(err.Error(), "access-token-") || !strings.Contains(err.Error(), "rejected Bearer "+Redacted) {
		t.Fatalf("token in %q", err)
	}
}
