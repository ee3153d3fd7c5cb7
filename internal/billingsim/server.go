// Package billingsim is a local stand-in for the energy billing platform's
// REST APIs (domain.md §1.3, §1.4, §2): the public API with a static
// bearer token and the internal API with an OAuth2 password grant, the
// real response shapes and paging, and deterministic, realistic accounts
// generated from a seed — electricity and gas meter points with valid
// MPANs and MPRNs, meter exchanges, changes of tenancy, monthly actual and
// estimated reads, superseded estimates, duplicate reads and rollovers.
//
// Faults are injected on demand (429 bursts with Retry-After, 500/502/503,
// slow responses, dropped connections, truncated JSON, revoked tokens), a
// deterministic function of the seed and the request, so tests can compare
// a faulty run with a clean one exactly.
//
// Server is an http.Handler: tests mount it on httptest.Server, and
// `cdw sample api --listen ADDR` serves it with Serve.
package billingsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Paths of the two APIs on one server: the internal API lives under
// InternalPrefix, the public API at the root.
const (
	InternalPrefix = "/api"
	TokenPath      = "/Token" // under InternalPrefix
)

// DefaultAsOf is the data date when Config.AsOf is zero.
var DefaultAsOf = time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC)

// Config configures a Server. Token, Username and Password are required:
// the simulator accepts exactly these credentials.
type Config struct {
	// Seed drives the generated data and the faults.
	Seed int64
	// Accounts is how many accounts exist: ids 1..Accounts (default 500).
	Accounts int
	// AsOf is "now" for the data: readings created after it are not yet
	// visible (default DefaultAsOf; at least EarliestAsOf).
	AsOf time.Time
	// PageSize of the meter-readings endpoint (default 25).
	PageSize int
	// Token is the public API's static bearer token.
	Token string
	// Username and Password are the internal API's password-grant
	// credentials.
	Username, Password string
	// TokenTTL is the lifetime of issued access tokens (default 1h).
	TokenTTL time.Duration
	// Faults to inject.
	Faults Faults
	// Now is the clock for token expiry (default time.Now).
	Now func() time.Time
}

// Stats counts what a Server has served.
type Stats struct {
	Requests     int64
	ByRoute      map[string]int64 // token, meterpoints, readings, billable, estimates, tariffs, status, other
	Faults       map[string]int64 // by kind
	TokensIssued int64
}

// Server simulates the billing platform. It is safe for concurrent use.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	faults *faultState

	mu      sync.Mutex
	tokens  map[string]time.Time // access token → expiry
	issued  []string             // every access token ever issued
	byRoute map[string]int64
	byFault map[string]int64
	total   atomic.Int64

	cacheMu sync.Mutex
	cache   map[int64]*account // generated accounts are immutable once made
}

// New validates cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Token == "" || cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("billingsim: a token, a username and a password are required")
	}
	if cfg.Accounts == 0 {
		cfg.Accounts = 500
	}
	if cfg.Accounts < 0 || cfg.Accounts > 99_999 {
		return nil, fmt.Errorf("billingsim: accounts must be 1..99999, got %d", cfg.Accounts)
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = DefaultAsOf
	}
	if cfg.AsOf.Before(EarliestAsOf) {
		return nil, fmt.Errorf("billingsim: as-of %s is before %s", cfg.AsOf.Format(time.DateOnly), EarliestAsOf.Format(time.DateOnly))
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 25
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &cfg.Faults
	if f.Rate < 0 || f.Rate > 1 {
		return nil, fmt.Errorf("billingsim: fault rate must be between 0 and 1, got %v", f.Rate)
	}
	if len(f.Kinds) == 0 {
		f.Kinds = slices.Clone(AllFaults)
	}
	if f.MaxConsecutive <= 0 {
		f.MaxConsecutive = 3
	}
	if f.SlowDelay <= 0 {
		f.SlowDelay = 2 * time.Second
	}
	s := &Server{cfg: cfg, faults: newFaultState(), tokens: map[string]time.Time{}, byRoute: map[string]int64{}, byFault: map[string]int64{}, cache: map[int64]*account{}}
	s.routes()
	return s, nil
}

// AsOf returns the server's data date.
func (s *Server) AsOf() time.Time { return s.cfg.AsOf }

// Secrets returns every credential the server knows: the static token, the
// password and each access token issued so far. Tests search output for
// them.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.cfg.Token, s.cfg.Password}, s.issued...)
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Requests: s.total.Load(), ByRoute: map[string]int64{}, Faults: map[string]int64{}, TokensIssued: int64(len(s.issued))}
	for k, v := range s.byRoute {
		st.ByRoute[k] = v
	}
	for k, v := range s.byFault {
		st.Faults[k] = v
	}
	return st
}

// Serve serves on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		<-errc
		return nil
	}
}

// ServeHTTP injects faults, then routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.total.Add(1)
	internal := strings.HasPrefix(r.URL.Path, InternalPrefix+"/")
	s.count(s.byRoute, routeName(r.URL.Path))
	if acct, ok := accountInPath(r.URL.Path); ok && slices.Contains(s.cfg.Faults.FailAccounts, acct) {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	// Credentials are checked before any fault: a request whose token was
	// revoked under it is refused without counting towards its faults.
	if r.URL.Path != InternalPrefix+TokenPath && !s.authorized(r, internal) {
		s.unauthorized(w)
		return
	}
	kind := s.decide(r.Method+" "+r.URL.RequestURI(), internal)
	if kind != "" {
		s.count(s.byFault, kind)
	}
	switch kind {
	case Fault429:
		w.Header().Set("Retry-After", strconv.Itoa(s.cfg.Faults.RetryAfterSeconds))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "rate limit exceeded"})
		return
	case Fault500, Fault502, Fault503:
		code, _ := strconv.Atoi(kind)
		writeJSON(w, code, map[string]string{"message": http.StatusText(code)})
		return
	case FaultDrop:
		hijackClose(w)
		return
	case FaultExpire:
		s.mu.Lock()
		clear(s.tokens)
		s.mu.Unlock()
	case FaultSlow:
		t := time.NewTimer(s.cfg.Faults.SlowDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	case FaultTruncate:
		buf := &bufferWriter{header: http.Header{}, status: http.StatusOK}
		s.mux.ServeHTTP(buf, r)
		half := buf.body[:halfLen(len(buf.body))]
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		if hashString(r.URL.RequestURI())%2 == 0 {
			// Claims the whole length, then the connection drops.
			w.Header().Set("Content-Length", strconv.Itoa(len(buf.body)))
			w.WriteHeader(buf.status)
			_, _ = w.Write(half)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			hijackClose(w)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(half)))
		w.WriteHeader(buf.status)
		_, _ = w.Write(half)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) count(m map[string]int64, k string) {
	s.mu.Lock()
	m[k]++
	s.mu.Unlock()
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection without a response
}

// bufferWriter captures a response so it can be sent truncated.
type bufferWriter struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferWriter) Header() http.Header  { return b.header }
func (b *bufferWriter) WriteHeader(code int) { b.status = code }
func (b *bufferWriter) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// routeName classifies a path for Stats.
func routeName(p string) string {
	switch {
	case p == InternalPrefix+TokenPath:
		return "token"
	case strings.HasSuffix(p, "/meter-readings"):
		return "readings"
	case strings.HasSuffix(p, "/estimatedusage"):
		return "estimates"
	case strings.HasSuffix(p, "/MeterPoints"):
		return "meterpoints"
	case strings.HasSuffix(p, "/Readings"):
		return "billable"
	case strings.HasSuffix(p, "/TariffsWithHistory"):
		return "tariffs"
	case strings.HasSuffix(p, "/SupplyStatus"):
		return "status"
	}
	return "other"
}

// accountInPath finds the account id in /Accounts/{a}/..., /api/account/{a}/...
// and /api/accounts/{a}/....
func accountInPath(p string) (int64, bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "accounts") || parts[i] == "account" {
			n, err := strconv.ParseInt(parts[i+1], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// issue creates an access token.
func (s *Server) issue() (string, time.Duration) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "sim-at-" + hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = s.cfg.Now().Add(s.cfg.TokenTTL)
	s.issued = append(s.issued, tok)
	s.mu.Unlock()
	return tok, s.cfg.TokenTTL
}

// authorized checks the request's bearer token for the public (static
// token) or internal (issued, unexpired token) API.
func (s *Server) authorized(r *http.Request, internal bool) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	if !internal {
		return tok == s.cfg.Token
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && s.cfg.Now().Before(exp)
}
