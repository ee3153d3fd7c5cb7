package httpx

import (
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Redacted is what a secret is replaced with in messages.
const Redacted = "[REDACTED]"

// Redactor remembers secrets (tokens, passwords) and removes them from
// text. The Client passes every error message through its Redactor, and
// the auth schemes register what they hold and every token they receive,
// so no credential can reach a log line or an error.
//
// A Redactor is safe for concurrent use. The zero value is ready to use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is removed whole
}

// minSecret is the shortest value treated as a secret: shorter ones would
// blank out ordinary words and digits.
const minSecret = 4

// Add registers secrets; empty and very short values are ignored.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecret || slices.Contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
		// Their URL-encoded forms too: form bodies and query strings.
		if e := url.QueryEscape(s); e != s {
			r.secrets = append(r.secrets, e)
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// String returns s with every registered secret replaced by Redacted.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}

// URL renders u without its user info and with every registered secret
// removed, for messages.
func (r *Redactor) URL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted)
	}
	return r.String(c.String())
}
