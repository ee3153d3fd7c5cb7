// Package httpx is a resilient HTTP client for JSON APIs: a token-bucket
// rate limit shared by every request, a timeout per attempt, retries with
// exponential backoff and jitter on 5xx, 408, timeouts, refused and reset
// connections and truncated bodies, 429 handled by honouring Retry-After,
// bodies that must be JSON validated (and retried, then handed back for
// quarantine), and bearer authentication by a static token or an OAuth2
// password grant that refreshes before expiry and on 401.
//
// Secrets never leave the package in text: every error message passes
// through a Redactor that knows the token, the password and every access
// token received, URLs lose their user info, and the package never logs.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure New. Zero values take the documented defaults.
type Options struct {
	// BaseURL is the API's root; request paths are appended to its path
	// ("http://host/api" + "/Token" = "http://host/api/Token").
	BaseURL string
	// Auth, when set, supplies the bearer token of every request.
	Auth Auth
	// Redactor removes secrets from messages; share one between a
	// PasswordGrant's token client and the API client. Default: a new one.
	Redactor *Redactor
	// Transport is the round tripper (default: a clone of
	// http.DefaultTransport, so the process-wide one is never modified).
	Transport http.RoundTripper
	// RateLimit is the most requests per second, attempts and retries
	// included (0: unlimited); Burst is how many may go at once (default:
	// RateLimit rounded up, at least 1).
	RateLimit float64
	Burst     int
	// Limiter, when set, is used instead of RateLimit and Burst: clients
	// sharing one Bucket share one rate limit.
	Limiter *Bucket
	// MaxAttempts per request, the first included (default 5).
	MaxAttempts int
	// BackoffBase is the delay after the first failed attempt, doubling up
	// to BackoffMax (defaults 250ms and 30s); jitter takes up to half off.
	BackoffBase, BackoffMax time.Duration
	// Timeout bounds one attempt, from sending to the last body byte
	// (default 30s).
	Timeout time.Duration
	// MaxRetryAfter caps how long a 429's Retry-After is honoured (default
	// 2 minutes); a 429 without the header backs off like a 5xx.
	MaxRetryAfter time.Duration
	// MaxBody is the largest response body read (default 64 MiB); a larger
	// one is an error.
	MaxBody int64
	// Seed seeds the jitter (0: a random seed).
	Seed uint64
	// Sleep waits between attempts (tests record it); default: a timer
	// that ends early with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// UserAgent is sent with every request (default "cdw").
	UserAgent string
}

// Request is one API call.
type Request struct {
	Method string
	// Path is appended to the base URL's path; it may carry a query string.
	Path string
	// Query is added to the query string (encoded in key order).
	Query url.Values
	// Body is sent as is; Content-Type defaults to application/json when
	// there is a body.
	Body   []byte
	Header http.Header
	// JSON requires a 2xx body to be valid JSON: an invalid one is retried
	// like a transient error and, when attempts run out, returned in a
	// *BodyError.
	JSON bool
	// NoSnippet leaves response bodies out of error messages.
	NoSnippet bool
}

// Response is a 2xx response, fully read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Path is the request URI as sent: path and query, without host.
	Path string
	// Attempts is how many attempts it took (1: no retry).
	Attempts int
}

// Stats counts a client's traffic since it was made.
type Stats struct {
	Requests        int64 // calls to Do
	Attempts        int64 // HTTP attempts, retries included
	Retries         int64 // attempts after the first
	RateLimited     int64 // 429 responses
	ServerErrors    int64 // 5xx and 408 responses
	TransportErrors int64 // timeouts, refused/reset connections, truncated bodies
	InvalidBodies   int64 // 2xx bodies that were not JSON
	Unauthorized    int64 // 401 responses
}

// Client sends requests with the policy of its Options. It is safe for
// concurrent use; the rate limit is shared by every goroutine using it.
type Client struct {
	base     *url.URL
	hc       *http.Client
	auth     Auth
	redactor *Redactor
	bucket   *Bucket
	opts     Options

	randMu sync.Mutex
	rand   *rand.Rand

	requests, attempts, retries, rateLimited, serverErrors, transportErrors, invalidBodies, unauthorized atomic.Int64
}

// New validates opts and returns a Client.
func New(opts Options) (*Client, error) {
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("httpx: base URL must be http(s)://host[/path], got %q", (&Redactor{}).String(stripUser(opts.BaseURL)))
	}
	if opts.Redactor == nil {
		opts.Redactor = &Redactor{}
	}
	if base.User != nil {
		if p, ok := base.User.Password(); ok {
			opts.Redactor.Add(p)
		}
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 250 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 30 * time.Second
	}
	if opts.BackoffMax < opts.BackoffBase {
		opts.BackoffMax = opts.BackoffBase
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 2 * time.Minute
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 20
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "cdw"
	}
	if opts.RateLimit < 0 {
		return nil, errors.New("httpx: negative rate limit")
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	c := &Client{
		base: base, hc: &http.Client{Transport: opts.Transport}, auth: opts.Auth, redactor: opts.Redactor,
		opts: opts, rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	if opts.Limiter != nil {
		c.bucket = opts.Limiter
	} else if opts.RateLimit > 0 {
		burst := opts.Burst
		if burst <= 0 {
			burst = int(opts.RateLimit + 0.999)
		}
		c.bucket = NewBucket(opts.RateLimit, burst)
		c.bucket.sleep = opts.Sleep
	}
	return c, nil
}

func stripUser(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User(Redacted)
		return u.String()
	}
	return raw
}

// Redactor returns the client's Redactor.
func (c *Client) Redactor() *Redactor { return c.redactor }

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests: c.requests.Load(), Attempts: c.attempts.Load(), Retries: c.retries.Load(),
		RateLimited: c.rateLimited.Load(), ServerErrors: c.serverErrors.Load(), TransportErrors: c.transportErrors.Load(),
		InvalidBodies: c.invalidBodies.Load(), Unauthorized: c.unauthorized.Load(),
	}
}

// target builds the request URL and its request URI.
func (c *Client) target(r Request) (*url.URL, error) {
	p, q, _ := strings.Cut(r.Path, "?")
	u := *c.base
	u.User = nil
	u.Path = strings.TrimRight(c.base.Path, "/") + "/" + strings.TrimLeft(p, "/")
	u.RawPath = ""
	if len(r.Query) > 0 {
		if q != "" {
			q += "&"
		}
		q += r.Query.Encode()
	}
	u.RawQuery = q
	return &u, nil
}

// Do sends r, retrying as the Options say, and returns the 2xx response.
// A 401 is retried at once with a new token when Auth can supply one
// (at most MaxAttempts times, besides the attempts).
// Errors: *StatusError (a final non-2xx), *BodyError (invalid JSON every
// time), *TransportError (no complete response on the last attempt; it
// matches context.Canceled / DeadlineExceeded when ctx ended the call), or
// an error from Auth. Every message is redacted.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	c.requests.Add(1)
	u, err := c.target(r)
	if err != nil {
		return nil, err
	}
	uri := c.redactor.String(u.RequestURI())
	refreshes := 0
	var last error
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			c.retries.Add(1)
		}
		if c.bucket != nil {
			if err := c.bucket.Wait(ctx); err != nil {
				return nil, &TransportError{Method: r.Method, Path: uri, Attempts: attempt - 1, Msg: err.Error(), cause: ctxCause(err)}
			}
		}
		token := ""
		if c.auth != nil {
			if token, err = c.auth.Token(ctx); err != nil {
				return nil, &authError{msg: c.redactor.String(err.Error()), err: err}
			}
		}
		c.attempts.Add(1)
		status, header, body, err := c.attempt(ctx, u, r, token)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil, &TransportError{Method: r.Method, Path: uri, Attempts: attempt, Msg: ctx.Err().Error(), cause: ctxCause(ctx.Err())}
		case err != nil:
			c.transportErrors.Add(1)
			last = &TransportError{Method: r.Method, Path: uri, Attempts: attempt, Msg: c.redactor.String(err.Error())}
			if !retryableTransport(err) {
				return nil, last
			}
		case status == http.StatusUnauthorized && c.auth != nil:
			// Retried at once with a new token, if the scheme can get
			// one. A token revoked while the request was on its way
			// (other goroutines share it) is no fault of the request, so
			// a refresh does not use up an attempt; MaxAttempts refreshes
			// at most, so bad credentials still fail.
			c.unauthorized.Add(1)
			if refreshes >= c.opts.MaxAttempts || !c.auth.Invalidate(token) {
				return nil, c.statusError(r, uri, status, attempt, body)
			}
			refreshes++
			attempt--
			continue
		case status >= 200 && status < 300:
			if r.JSON && !json.Valid(body) {
				c.invalidBodies.Add(1)
				last = &BodyError{Method: r.Method, Path: uri, Attempts: attempt, Body: body, Reason: jsonProblem(body)}
				break
			}
			return &Response{Status: status, Header: header, Body: body, Path: uri, Attempts: attempt}, nil
		case retryableStatus(status):
			if status == http.StatusTooManyRequests {
				c.rateLimited.Add(1)
				if d, ok := parseRetryAfter(header.Get("Retry-After"), time.Now()); ok {
					wait = min(d, c.opts.MaxRetryAfter)
					if wait == 0 {
						wait = -1 // "retry now": no backoff either
					}
				}
			} else {
				c.serverErrors.Add(1)
			}
			last = c.statusError(r, uri, status, attempt, body)
		default:
			if status == http.StatusUnauthorized {
				c.unauthorized.Add(1)
			}
			return nil, c.statusError(r, uri, status, attempt, body)
		}
		if attempt >= c.opts.MaxAttempts {
			return nil, last
		}
		if wait == 0 {
			wait = backoff(attempt, c.opts.BackoffBase, c.opts.BackoffMax, c.uniform())
		}
		if wait > 0 {
			if err := c.opts.Sleep(ctx, wait); err != nil {
				return nil, &TransportError{Method: r.Method, Path: uri, Attempts: attempt, Msg: err.Error(), cause: ctxCause(err)}
			}
		}
	}
}

// attempt sends one request and reads the whole body under the per-attempt
// timeout.
func (c *Client) attempt(ctx context.Context, u *url.URL, r Request, token string) (int, http.Header, []byte, error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, errAttemptTimeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(actx, r.Method, u.String(), body)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, c.timeoutCause(actx, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		return 0, nil, nil, c.timeoutCause(actx, err)
	}
	if int64(len(b)) > c.opts.MaxBody {
		return 0, nil, nil, fmt.Errorf("response body larger than %d bytes", c.opts.MaxBody)
	}
	if resp.ContentLength > 0 && int64(len(b)) < resp.ContentLength {
		return 0, nil, nil, io.ErrUnexpectedEOF
	}
	return resp.StatusCode, resp.Header, b, nil
}

// timeoutCause turns an error caused by the per-attempt deadline into
// errAttemptTimeout, so it is retried rather than taken for the caller's
// cancellation. The url.Error wrapper (which names the full URL) is dropped.
func (c *Client) timeoutCause(actx context.Context, err error) error {
	if errors.Is(context.Cause(actx), errAttemptTimeout) {
		return fmt.Errorf("%w after %s", errAttemptTimeout, c.opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) statusError(r Request, uri string, status, attempts int, body []byte) *StatusError {
	e := &StatusError{Method: r.Method, Path: uri, Status: status, Attempts: attempts}
	if !r.NoSnippet {
		e.Snippet = c.redactor.String(snippet(body))
	}
	return e
}

func (c *Client) uniform() float64 {
	c.randMu.Lock()
	defer c.randMu.Unlock()
	return c.rand.Float64()
}

// snippet is the start of a body, on one line, for messages.
func snippet(b []byte) string {
	const n = 200
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// jsonProblem says briefly why b is not JSON.
func jsonProblem(b []byte) string {
	if len(bytes.TrimSpace(b)) == 0 {
		return "empty body"
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	return "not JSON"
}
