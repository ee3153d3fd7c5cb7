package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/httpx"
)

// api holds the clients of the two APIs. Both share one rate limit and
// one Redactor.
type api struct {
	public, internal *httpx.Client
	grant            *httpx.PasswordGrant
	history          bool
	lookback         time.Duration
	now              func() time.Time
}

// newAPI builds the clients the entities need, checking that their URLs
// and credentials are set. Options are the settings' retry policy.
func newAPI(s *Settings, node nodeRef, entities []string, transport http.RoundTripper, now func() time.Time) (*api, error) {
	needPublic, needInternal := false, false
	for _, e := range entities {
		switch e {
		case EntityReadings, EntityEstimates:
			needInternal = true
		default:
			needPublic = true
		}
	}
	red := &httpx.Redactor{}
	red.Add(s.Token, s.Password)
	opts := func(base string) httpx.Options {
		return httpx.Options{BaseURL: base, Redactor: red, Transport: transport, MaxAttempts: s.MaxAttempts,
			Timeout: s.Timeout.Duration, BackoffBase: s.BackoffBase.Duration, BackoffMax: s.BackoffMax.Duration,
			MaxRetryAfter: s.MaxRetryAfter.Duration}
	}
	history := s.IncludeHistory == nil || *s.IncludeHistory
	a := &api{history: history, lookback: time.Duration(s.ReadingsLookbackDays) * 24 * time.Hour, now: now}
	var shared *httpx.Bucket
	if s.RateLimit > 0 {
		shared = httpx.NewBucket(s.RateLimit, s.Burst)
	}
	if needPublic {
		if s.PublicURL == "" {
			return nil, extract.Invalidf("%s: %s.public_url is not set", node.pos(), settingsField)
		}
		if s.Token == "" {
			return nil, extract.Invalidf("%s: %s.token is empty: %s", node.pos("token"), settingsField, node.setHint("token", "CDW_BILLING_TOKEN"))
		}
		tok, err := httpx.NewStaticToken(s.Token, red)
		if err != nil {
			return nil, err
		}
		o := opts(s.PublicURL)
		o.Auth, o.Limiter = tok, shared
		if a.public, err = httpx.New(o); err != nil {
			return nil, extract.Invalid(err)
		}
	}
	if needInternal {
		if s.InternalURL == "" {
			return nil, extract.Invalidf("%s: %s.internal_url is not set", node.pos(), settingsField)
		}
		if s.Username == "" || s.Password == "" {
			field, env := "username", "CDW_BILLING_USERNAME"
			if s.Username != "" {
				field, env = "password", "CDW_BILLING_PASSWORD"
			}
			return nil, extract.Invalidf("%s: %s.%s is empty (the internal API needs username and password): %s", node.pos(field), settingsField, field, node.setHint(field, env))
		}
		to := opts(s.InternalURL)
		to.Limiter = shared
		tc, err := httpx.New(to)
		if err != nil {
			return nil, extract.Invalid(err)
		}
		a.grant, err = httpx.NewPasswordGrant(tc, httpx.PasswordGrantOptions{Path: "/Token", Username: s.Username, Password: s.Password, Referer: s.Referer})
		if err != nil {
			return nil, extract.Invalid(err)
		}
		io := opts(s.InternalURL)
		io.Auth, io.Limiter = a.grant, shared
		if a.internal, err = httpx.New(io); err != nil {
			return nil, extract.Invalid(err)
		}
	}
	return a, nil
}

// counters sums both clients' statistics.
func (a *api) counters() extract.Counters {
	var c extract.Counters
	for _, cl := range []*httpx.Client{a.public, a.internal} {
		if cl != nil {
			st := cl.Stats()
			c.Requests += st.Requests
			c.Retries += st.Retries
		}
	}
	return c
}

// quarantineError is a response that could not be used at all (not JSON
// after every retry): the account fails and the body is quarantined.
type quarantineError struct {
	rej extract.UnitRejection
	err error
}

func (e *quarantineError) Error() string { return e.err.Error() }
func (e *quarantineError) Unwrap() error { return e.err }

// get makes one request and returns it as a Page.
func (a *api) get(ctx context.Context, c *httpx.Client, acct int64, entity, method, path string, page int) (Page, error) {
	resp, err := c.Do(ctx, httpx.Request{Method: method, Path: path, JSON: true})
	if err != nil {
		var be *httpx.BodyError
		if errors.As(err, &be) {
			return Page{}, &quarantineError{err: err, rej: extract.UnitRejection{Source: be.Method + " " + be.Path, Line: int64(page), Raw: string(be.Body), Reason: "not valid JSON after " + fmt.Sprint(be.Attempts) + " attempts: " + be.Reason}}
		}
		return Page{}, err
	}
	return Page{Account: acct, Entity: entity, Method: method, Path: resp.Path, Page: page, Status: resp.Status, FetchedAt: a.now().UTC(), Body: resp.Body}, nil
}

// fetch gets an account's entities, oldest-first dependencies first:
// meter points (whose ids the billable readings need), then the rest.
// Readings are paged newest first and, with a cursor, only until a page
// reaches back past the newest reading already loaded (less the lookback).
func (a *api) fetch(ctx context.Context, acct int64, entities []string, cursors map[string]*cursor, full bool) ([]Page, error) {
	var pages []Page
	var meterPoints []int64
	for _, e := range entities {
		switch e {
		case EntityMeterPoints:
			path := fmt.Sprintf("/Accounts/%d/MeterPoints", acct)
			if a.history {
				path += "?includeHistory=true"
			}
			p, err := a.get(ctx, a.public, acct, e, http.MethodGet, path, 0)
			if err != nil {
				return nil, err
			}
			pages = append(pages, p)
			meterPoints = meterPointIDs(p.Body)
		case EntityBillableReadings:
			for _, mp := range meterPoints {
				p, err := a.get(ctx, a.public, acct, e, http.MethodGet, fmt.Sprintf("/Accounts/%d/MeterPoints/%d/Readings?isBilleable=true", acct, mp), 0)
				if err != nil {
					return nil, err
				}
				p.MeterPoint = mp
				pages = append(pages, p)
			}
		case EntityReadings:
			ps, err := a.readings(ctx, acct, cursors[EntityReadings], full)
			if err != nil {
				return nil, err
			}
			pages = append(pages, ps...)
		case EntityEstimates:
			p, err := a.get(ctx, a.internal, acct, e, http.MethodGet, fmt.Sprintf("/accounts/%d/estimatedusage", acct), 0)
			if err != nil {
				return nil, err
			}
			pages = append(pages, p)
		case EntityTariffs:
			p, err := a.get(ctx, a.public, acct, e, http.MethodGet, fmt.Sprintf("/Accounts/%d/TariffsWithHistory", acct), 0)
			if err != nil {
				return nil, err
			}
			pages = append(pages, p)
		case EntityAccountStatus:
			p, err := a.get(ctx, a.public, acct, e, http.MethodGet, fmt.Sprintf("/Accounts/%d/SupplyStatus", acct), 0)
			if err != nil {
				return nil, err
			}
			pages = append(pages, p)
		}
	}
	return pages, nil
}

// readings pages through the internal meter readings, newest first.
func (a *api) readings(ctx context.Context, acct int64, c *cursor, full bool) ([]Page, error) {
	cutoff, incremental := c.newestTime()
	incremental = incremental && !full
	cutoff = cutoff.Add(-a.lookback)
	var pages []Page
	for n := 1; ; n++ {
		path := fmt.Sprintf("/account/%d/meter-readings?sortField=meterReadingDateTime&sortDirection=Descending&page=%d", acct, n)
		p, err := a.get(ctx, a.internal, acct, EntityReadings, http.MethodPost, path, n)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
		var env struct {
			TotalPages int `json:"totalPages"`
			Items      []struct {
				At when `json:"meterReadingDateTime"`
			} `json:"items"`
		}
		if json.Unmarshal(p.Body, &env) != nil || n >= env.TotalPages || len(env.Items) == 0 {
			return pages, nil // the ingester rejects a page it cannot read
		}
		if incremental && slices.ContainsFunc(env.Items, func(it struct {
			At when `json:"meterReadingDateTime"`
		}) bool {
			return it.At.t != nil && it.At.t.Before(cutoff)
		}) {
			return pages, nil // reached readings already loaded
		}
	}
}

// meterPointIDs reads the ids of a MeterPoints body (none if it is not
// the expected shape: the ingester reports that).
func meterPointIDs(body []byte) []int64 {
	var mps []struct {
		ID *int64 `json:"id"`
	}
	if json.Unmarshal(body, &mps) != nil {
		return nil
	}
	var ids []int64
	for _, mp := range mps {
		if mp.ID != nil && !slices.Contains(ids, *mp.ID) {
			ids = append(ids, *mp.ID)
		}
	}
	return ids
}
