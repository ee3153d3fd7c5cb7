package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a Sleep that records the waits and returns at once, so retry
// tests check the computed delays without taking them.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func newClient(t *testing.T, url string, mod func(*Options)) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	o := Options{BaseURL: url, Sleep: rec.sleep, Seed: 1, MaxAttempts: 4, BackoffBase: 100 * time.Millisecond, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// script serves the responses of fns in turn, one per request, repeating
// the last one.
func script(t *testing.T, fns ...http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		fns[min(i, len(fns)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func ok(body string) http.HandlerFunc { return status(200, body) }

func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func truncated(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "100")
	w.WriteHeader(200)
	fmt.Fprint(w, `{"items":[1,2`)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestTransientFailuresAreRetriedUntilSuccess(t *testing.T) {
	tests := []struct {
		name    string
		fail    http.HandlerFunc
		counter func(Stats) int64
	}{
		{"500", status(500, "oops"), func(s Stats) int64 { return s.ServerErrors }},
		{"502", status(502, ""), func(s Stats) int64 { return s.ServerErrors }},
		{"503", status(503, ""), func(s Stats) int64 { return s.ServerErrors }},
		{"504", status(504, ""), func(s Stats) int64 { return s.ServerErrors }},
		{"408", status(408, ""), func(s Stats) int64 { return s.ServerErrors }},
		{"429 without Retry-After", status(429, ""), func(s Stats) int64 { return s.RateLimited }},
		{"dropped connection", drop, func(s Stats) int64 { return s.TransportErrors }},
		{"truncated body", truncated, func(s Stats) int64 { return s.TransportErrors }},
		{"truncated JSON", ok(`{"items":[1,`), func(s Stats) int64 { return s.InvalidBodies }},
		{"empty body", ok(""), func(s Stats) int64 { return s.InvalidBodies }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, tc.fail, tc.fail, ok(`{"ok":true}`))
			c, rec := newClient(t, srv.URL, nil)
			resp, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x", JSON: true})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != `{"ok":true}` || resp.Attempts != 3 || n.Load() != 3 {
				t.Fatalf("body %s, attempts %d, server saw %d", resp.Body, resp.Attempts, n.Load())
			}
			st := c.Stats()
			if st.Retries != 2 || tc.counter(st) != 2 {
				t.Fatalf("stats %+v", st)
			}
			// Exponential with jitter: [50,100)ms then [100,200)ms.
			if len(rec.waits) != 2 || rec.waits[0] < 50*time.Millisecond || rec.waits[0] >= 100*time.Millisecond ||
				rec.waits[1] < 100*time.Millisecond || rec.waits[1] >= 200*time.Millisecond {
				t.Fatalf("waits %v", rec.waits)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	limited := func(v string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", v)
			w.WriteHeader(429)
		}
	}
	tests := []struct {
		header string
		want   []time.Duration // recorded waits
	}{
		{"3", []time.Duration{3 * time.Second}},
		{"0", nil},                            // retry at once
		{"600", []time.Duration{time.Minute}}, // capped by MaxRetryAfter
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			srv, _ := script(t, limited(tc.header), ok(`[]`))
			c, rec := newClient(t, srv.URL, func(o *Options) { o.MaxRetryAfter = time.Minute })
			if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rec.waits) != fmt.Sprint(tc.want) {
				t.Fatalf("waits %v, want %v", rec.waits, tc.want)
			}
		})
	}
}

func TestFinalFailures(t *testing.T) {
	t.Run("a 4xx is not retried", func(t *testing.T) {
		srv, n := script(t, status(404, `{"message":"no such account"}`))
		c, _ := newClient(t, srv.URL, nil)
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/Accounts/9"})
		var se *StatusError
		if !errors.As(err, &se) || se.Status != 404 || se.Attempts != 1 || n.Load() != 1 {
			t.Fatalf("err %v (server saw %d)", err, n.Load())
		}
		if !strings.Contains(err.Error(), "GET /Accounts/9: HTTP 404") || !strings.Contains(err.Error(), "no such account") {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("5xx until attempts run out", func(t *testing.T) {
		srv, n := script(t, status(503, "busy"))
		c, _ := newClient(t, srv.URL, nil)
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"})
		var se *StatusError
		if !errors.As(err, &se) || se.Status != 503 || se.Attempts != 4 || n.Load() != 4 {
			t.Fatalf("err %v (server saw %d)", err, n.Load())
		}
	})
	t.Run("invalid JSON every time gives the body back", func(t *testing.T) {
		srv, _ := script(t, ok(`{"truncated":`))
		c, _ := newClient(t, srv.URL, nil)
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x", JSON: true})
		var be *BodyError
		if !errors.As(err, &be) || string(be.Body) != `{"truncated":` || be.Attempts != 4 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("non-JSON is fine when not asked for", func(t *testing.T) {
		srv, _ := script(t, ok(`plain`))
		c, _ := newClient(t, srv.URL, nil)
		if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	srv, n := script(t, stall, ok(`{}`))
	c, _ := newClient(t, srv.URL, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	resp, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 || n.Load() != 2 || c.Stats().TransportErrors != 1 {
		t.Fatalf("attempts %d, server saw %d, stats %+v", resp.Attempts, n.Load(), c.Stats())
	}
}

func TestCallerCancellationStopsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stall := func(w http.ResponseWriter, r *http.Request) { cancel(); <-r.Context().Done() }
	srv, n := script(t, stall)
	c, _ := newClient(t, srv.URL, nil)
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/x"})
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Fatalf("err %v, server saw %d", err, n.Load())
	}
}

func TestRequestURIAndHeaders(t *testing.T) {
	var got *http.Request
	var body string
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		b := make([]byte, 100)
		k, _ := r.Body.Read(b)
		body = string(b[:k])
		fmt.Fprint(w, `{}`)
	})
	c, _ := newClient(t, srv.URL+"/api/", nil)
	resp, err := c.Do(context.Background(), Request{Method: "POST", Path: "/account/7/meter-readings?sortField=a", Query: map[string][]string{"page": {"2"}}, Body: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Path != "/api/account/7/meter-readings?sortField=a&page=2" || got.URL.RequestURI() != resp.Path {
		t.Fatalf("path %q, server saw %q", resp.Path, got.URL.RequestURI())
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("Accept") != "application/json" || body != `{}` {
		t.Fatalf("headers %v body %q", got.Header, body)
	}
}

func TestStaticTokenIsSentAndA401IsFinal(t *testing.T) {
	var auth atomic.Value
	srv, n := script(t, func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(401)
		fmt.Fprintf(w, "bad token %s", r.Header.Get("Authorization"))
	})
	red := &Redactor{}
	tok, err := NewStaticToken("static-secret-123", red)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, srv.URL, func(o *Options) { o.Auth, o.Redactor = tok, red })
	_, err = c.Do(context.Background(), Request{Method: "GET", Path: "/x"})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 401 || n.Load() != 1 {
		t.Fatalf("err %v, server saw %d", err, n.Load())
	}
	if auth.Load() != "Bearer static-secret-123" {
		t.Fatalf("Authorization %q", auth.Load())
	}
	if strings.Contains(err.Error(), "static-secret-123") || !strings.Contains(err.Error(), Redacted) {
		t.Fatalf("the token leaked into the error: %q", err)
	}
}

func TestBaseURLValidationHidesCredentials(t *testing.T) {
	for _, u := range []string{"", "ftp://h/x", "http://", "not a url"} {
		if _, err := New(Options{BaseURL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	_, err := New(Options{BaseURL: "ftp://user:hunter22@h/x"})
	if err == nil || strings.Contains(err.Error(), "hunter22") {
		t.Fatalf("err %v", err)
	}
}
