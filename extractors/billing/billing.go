// Package billing is the extractor for the energy billing platform's REST
// APIs (domain.md §1.3, §1.4, §2): per account the meter point tree with
// its history (flattened into six tables with the keys carried down),
// the internal meter readings (paged, newest first, incremental by a
// cursor), billable readings per meter point, industry estimates, tariff
// history and supply status, and every response body as received.
//
// Each account is one unit of work: its rows across all entities and its
// new cursors are committed in one transaction by the extract.UnitRunner,
// so a crash never leaves half an account and a rerun never duplicates.
// An entity whose answer has not changed since the last run writes
// nothing. Requests go through internal/httpx: rate limited, retried with
// backoff on 429/5xx/timeouts/resets/invalid JSON, authenticated with a
// static token (public API) and a refreshed password-grant token
// (internal API). Credentials never appear in messages.
package billing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/httpx"
	"github.com/cdw-dev/cdw/internal/s3land"
)

// Name is the extractor's name: `cdw extract billing`.
const Name = "billing"

// Extractor is the billing-platform extractor. It is stateless; each run
// is prepared from the project's settings.
type Extractor struct {
	transport http.RoundTripper
	now       func() time.Time
}

// Option configures New.
type Option func(*Extractor)

// WithTransport sets the HTTP transport (tests); default a clone of
// http.DefaultTransport per run.
func WithTransport(rt http.RoundTripper) Option { return func(e *Extractor) { e.transport = rt } }

// WithClock sets the clock of fetched_at (tests).
func WithClock(now func() time.Time) Option { return func(e *Extractor) { e.now = now } }

// New returns the extractor.
func New(opts ...Option) *Extractor {
	e := &Extractor{now: time.Now}
	for _, o := range opts {
		o(e)
	}
	return e
}

var _ extract.UnitExtractor = (*Extractor)(nil)

// Name implements extract.Extractor.
func (*Extractor) Name() string { return Name }

// Streams implements extract.Extractor.
func (*Extractor) Streams() []extract.Stream { return streams() }

// nodeRef renders positions inside the settings for messages.
type nodeRef struct{ n *yaml.Node }

func (r nodeRef) pos(path ...string) string { return posOf(r.n, path...) }

// setHint says how to give an empty credential a value. The settings it
// sees are already expanded, so it names the variable the project's own
// project.yml reads, and the general rule.
func (r nodeRef) setHint(field, env string) string {
	return fmt.Sprintf("set $%s if project.yml reads it from there (%s: \"${%s}\"), or the variable it names", env, field, env)
}

// Prepare implements extract.UnitExtractor: it decodes the settings,
// resolves the accounts and builds the API clients — or, with From, lists
// the landed pages to load instead.
func (e *Extractor) Prepare(ctx context.Context, req extract.PrepareRequest) (extract.UnitPlan, error) {
	s, err := DecodeSettings(req.Settings)
	if err != nil {
		return nil, extract.Invalid(err)
	}
	p := &plan{entities: s.entities(), concurrency: s.Concurrency, now: e.now}
	if p.concurrency == 0 {
		p.concurrency = 4
	}
	if req.From != "" {
		return p, p.prepareLanded(ctx, s, req)
	}
	ids, summary, err := universe(ctx, s, req)
	if err != nil {
		return nil, err
	}
	p.summary = summary
	for _, id := range ids {
		p.units = append(p.units, strconv.FormatInt(id, 10))
	}
	if p.api, err = newAPI(s, nodeRef{req.Settings}, p.entities, e.transport, e.now); err != nil {
		return nil, err
	}
	p.secrets = []string{s.Token, s.Password}
	if to := firstNonEmpty(req.Land, s.Land); to != "" {
		if p.land, err = openStore(ctx, to, "land", s, req.Getenv); err != nil {
			return nil, err
		}
		if err := p.land.Check(ctx); err != nil {
			return nil, extract.Invalid(err)
		}
		p.summary += ", landed in " + p.land.Location().String() + " first"
	}
	return p, nil
}

// prepareLanded makes the plan load the landed pages under req.From.
func (p *plan) prepareLanded(ctx context.Context, s *Settings, req extract.PrepareRequest) error {
	if !strings.HasPrefix(req.From, "s3://") {
		return extract.Invalidf("billing reads no files: --from takes the s3://bucket/prefix of landed pages")
	}
	store, err := openStore(ctx, req.From, "--from", s, req.Getenv)
	if err != nil {
		return err
	}
	p.from = store
	if p.landed, err = landedAccounts(ctx, store); err != nil {
		return err
	}
	var want map[int64]bool
	if req.Units != "" {
		ids, err := ParseAccounts(req.Units)
		if err != nil {
			return extract.Invalidf("--accounts: %v", err)
		}
		want = map[int64]bool{}
		for _, id := range ids {
			want[id] = true
		}
	}
	ids := make([]int64, 0, len(p.landed))
	for id := range p.landed {
		if want == nil || want[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		p.units = append(p.units, strconv.FormatInt(id, 10))
	}
	p.summary = fmt.Sprintf("%s landed under %s", plural(len(ids), "account"), store.Location())
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// plan is one prepared run.
type plan struct {
	units       []string
	summary     string
	entities    []string
	concurrency int
	api         *api // nil when loading landed pages
	now         func() time.Time
	secrets     []string
	land        *s3land.Store      // land pages here before loading them
	from        *s3land.Store      // load landed pages from here instead of the API
	landed      map[int64][]string // with from: each account's objects
}

func (p *plan) Units() []string  { return p.units }
func (p *plan) Summary() string  { return p.summary }
func (p *plan) Concurrency() int { return p.concurrency }
func (p *plan) Close() error     { return nil }

// Secrets returns the run's credentials, for callers that mask them in
// what they print (the API clients already keep them out of errors).
func (p *plan) Secrets() []string { return p.secrets }
func (p *plan) Counters() extract.Counters {
	if p.api == nil {
		return extract.Counters{}
	}
	return p.api.counters()
}

// ExtractUnit fetches one account (or reads its landed pages) and hands
// the pages to the ingester.
func (p *plan) ExtractUnit(ctx context.Context, u extract.Unit, sink extract.UnitSink) error {
	acct, err := accountID(u.ID)
	if err != nil {
		return err
	}
	in := newIngester(sink, acct, u.Cursors, u.FullRefresh)
	if p.from != nil {
		loads, err := readLanded(ctx, p.from, p.landed[acct])
		if err != nil {
			return err
		}
		for _, pages := range loads {
			if err := in.fetch(pages); err != nil {
				return err
			}
		}
		return nil
	}
	pages, err := p.api.fetch(ctx, acct, p.entities, in.cursors, u.FullRefresh)
	if refused(err) {
		return extract.Abort(fmt.Errorf("the billing platform refused the credentials (check $CDW_BILLING_TOKEN, $CDW_BILLING_USERNAME and $CDW_BILLING_PASSWORD): %w", err))
	}
	if err != nil {
		var qe *quarantineError
		if errors.As(err, &qe) {
			if rerr := sink.Reject(qe.rej); rerr != nil {
				return rerr
			}
		}
		return err
	}
	for i := range pages {
		pages[i].LoadID = u.LoadID
	}
	if p.land != nil && len(pages) > 0 {
		if pages, err = land(ctx, p.land, acct, pages); err != nil {
			return err
		}
	}
	return in.fetch(pages)
}

// refused reports whether err is the platform rejecting the credentials
// themselves: a 401 that survived a token refresh, or the password grant's
// token request answered 400 or 401. Every account would meet it.
func refused(err error) bool {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return false
	}
	return se.Status == http.StatusUnauthorized ||
		se.Status == http.StatusBadRequest && strings.HasSuffix(se.Path, "/Token")
}
