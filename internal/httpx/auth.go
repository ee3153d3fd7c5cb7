package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Auth supplies the bearer token a Client sends as
// "Authorization: Bearer <token>". Implementations must be safe for
// concurrent use.
type Auth interface {
	// Token returns the token to send now, fetching one if needed.
	Token(ctx context.Context) (string, error)
	// Invalidate reports that the server answered 401 to a request sent
	// with token. It returns whether a retry can use a different token;
	// the Client retries a request at most once after a 401.
	Invalidate(token string) bool
}

// StaticToken is a fixed bearer token. A 401 is final: there is nothing
// else to try.
type StaticToken struct{ token string }

// NewStaticToken returns the scheme and registers the token with r, so it
// never appears in messages. An empty token is an error.
func NewStaticToken(token string, r *Redactor) (*StaticToken, error) {
	if token == "" {
		return nil, errors.New("httpx: empty bearer token")
	}
	r.Add(token)
	return &StaticToken{token: token}, nil
}

// Token implements Auth.
func (s *StaticToken) Token(context.Context) (string, error) { return s.token, nil }

// Invalidate implements Auth: a static token cannot be replaced.
func (s *StaticToken) Invalidate(string) bool { return false }

// PasswordGrantOptions configure NewPasswordGrant.
type PasswordGrantOptions struct {
	// Path of the token endpoint relative to the client's base URL
	// (e.g. "/Token").
	Path               string
	Username, Password string
	// Referer, when set, is sent with the token request (the billing
	// platform's internal API wants one).
	Referer string
	// RefreshBefore is how long before the token's expiry a new one is
	// fetched (default 1 minute). Tokens without expires_in are kept until
	// the server rejects them.
	RefreshBefore time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// PasswordGrant is the OAuth2 resource-owner password grant: it posts
// username, password and grant_type=password as a form to the token
// endpoint and uses the access_token it gets back. It refreshes the token
// shortly before it expires and whenever the API rejects it with 401.
// Concurrent callers share one token and wait for one refresh.
type PasswordGrant struct {
	c    *Client // the token endpoint's client: retries, timeouts, no Auth
	opts PasswordGrantOptions

	mu      sync.Mutex
	token   string
	expires time.Time // zero: unknown

	fetches atomic.Int64
}

// NewPasswordGrant returns the scheme fetching tokens through c, which
// must not itself use an Auth. The password, the username and every token
// received are registered with c's Redactor; give the API's Client the
// same Redactor.
func NewPasswordGrant(c *Client, opts PasswordGrantOptions) (*PasswordGrant, error) {
	if c == nil || c.auth != nil {
		return nil, errors.New("httpx: a password grant needs a client without auth for its token endpoint")
	}
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("httpx: password grant needs a username and a password")
	}
	if opts.Path == "" {
		return nil, errors.New("httpx: password grant needs the token endpoint's path")
	}
	if opts.RefreshBefore <= 0 {
		opts.RefreshBefore = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c.redactor.Add(opts.Password, opts.Username)
	return &PasswordGrant{c: c, opts: opts}, nil
}

// Fetches is how many tokens were obtained so far.
func (g *PasswordGrant) Fetches() int64 { return g.fetches.Load() }

// Token implements Auth.
func (g *PasswordGrant) Token(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token != "" && (g.expires.IsZero() || g.opts.Now().Before(g.expires.Add(-g.opts.RefreshBefore))) {
		return g.token, nil
	}
	tok, ttl, err := g.fetch(ctx)
	if err != nil {
		return "", err
	}
	g.token, g.expires = tok, time.Time{}
	if ttl > 0 {
		g.expires = g.opts.Now().Add(ttl)
	}
	return tok, nil
}

// Invalidate implements Auth: the rejected token is dropped (if it is
// still the current one) and the next Token call fetches a new one.
func (g *PasswordGrant) Invalidate(token string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token == token {
		g.token = ""
	}
	return true
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (g *PasswordGrant) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"username": {g.opts.Username}, "password": {g.opts.Password}, "grant_type": {"password"}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	if g.opts.Referer != "" {
		h.Set("Referer", g.opts.Referer)
	}
	// No body snippet in errors: a token endpoint may echo what it was sent.
	resp, err := g.c.Do(ctx, Request{Method: http.MethodPost, Path: g.opts.Path, Body: []byte(form.Encode()), Header: h, JSON: true, NoSnippet: true})
	if err != nil {
		return "", 0, fmt.Errorf("fetch access token: %w", err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return "", 0, fmt.Errorf("fetch access token: POST %s: unexpected response shape", g.opts.Path)
	}
	if tr.AccessToken == "" {
		return "", 0, fmt.Errorf("fetch access token: POST %s: no access_token in the response", g.opts.Path)
	}
	g.c.redactor.Add(tr.AccessToken)
	g.fetches.Add(1)
	return tr.AccessToken, time.Duration(tr.ExpiresIn) * time.Second, nil
}
