package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/s3land"
)

// Landing: with `land` set (or --land), each account's pages are written to
// S3 as gzip NDJSON, one object per entity and account:
//
//	<prefix>/billing/<entity>/dt=<fetch day>/load_id=<run>/account=<id>.ndjson.gz
//
// then read back and loaded from there. `cdw extract billing --from
// s3://bucket/prefix` loads landed pages again without calling the API;
// loading the same prefix twice changes nothing the second time.

// landedPage is one NDJSON line. The body is kept as a string so its bytes
// (and hash) are exactly those received.
type landedPage struct {
	Account    int64     `json:"account_id"`
	Entity     string    `json:"entity"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Page       int       `json:"page"`
	MeterPoint int64     `json:"meter_point_id,omitempty"`
	Status     int       `json:"status"`
	FetchedAt  time.Time `json:"fetched_at"`
	LoadID     string    `json:"load_id"`
	Body       string    `json:"body"`
}

func toLanded(p Page) landedPage {
	return landedPage{p.Account, p.Entity, p.Method, p.Path, p.Page, p.MeterPoint, p.Status, p.FetchedAt, p.LoadID, string(p.Body)}
}

func (l landedPage) page() Page {
	return Page{Account: l.Account, Entity: l.Entity, Method: l.Method, Path: l.Path, Page: l.Page, MeterPoint: l.MeterPoint,
		Status: l.Status, FetchedAt: l.FetchedAt, LoadID: l.LoadID, Body: []byte(l.Body)}
}

// openStore opens the S3 store of an s3:// URL with the settings' client
// options.
func openStore(ctx context.Context, raw, what string, s *Settings, getenv func(string) (string, bool)) (*s3land.Store, error) {
	loc, err := s3land.ParseURL(raw)
	if err != nil {
		return nil, extract.Invalidf("%s: %v", what, err)
	}
	return s3land.Open(ctx, loc, s3land.Options{Region: s.S3.Region, Endpoint: s.S3.Endpoint, PathStyle: bool(s.S3.PathStyle), Lookup: getenv})
}

// land writes one account's pages to the store and reads them back, so
// what is loaded is what was landed.
func land(ctx context.Context, store *s3land.Store, acct int64, pages []Page) ([]Page, error) {
	byEntity := map[string][]Page{}
	var entities []string
	for _, p := range pages {
		if _, ok := byEntity[p.Entity]; !ok {
			entities = append(entities, p.Entity)
		}
		byEntity[p.Entity] = append(byEntity[p.Entity], p)
	}
	var keys []string
	for _, e := range entities {
		ps := byEntity[e]
		lines := make([][]byte, len(ps))
		for i, p := range ps {
			b, err := json.Marshal(toLanded(p))
			if err != nil {
				return nil, err
			}
			lines[i] = b
		}
		body, err := s3land.EncodeNDJSON(lines)
		if err != nil {
			return nil, err
		}
		key, err := s3land.Key(store.Location().Prefix, s3land.Object{Source: Name, Entity: e, Day: ps[0].FetchedAt, LoadID: ps[0].LoadID, Part: part(acct)})
		if err != nil {
			return nil, err
		}
		if err := store.Put(ctx, key, body); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	groups, err := readLanded(ctx, store, keys)
	if err != nil {
		return nil, err
	}
	var out []Page
	for _, g := range groups {
		out = append(out, g...)
	}
	return out, nil
}

// part names an account's objects.
func part(acct int64) string { return "account=" + strconv.FormatInt(acct, 10) }

// landedAccounts lists a landed prefix and returns, per account, the keys
// of its billing objects. Other objects under the prefix are ignored.
func landedAccounts(ctx context.Context, store *s3land.Store) (map[int64][]string, error) {
	keys, err := store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, k := range keys {
		o, err := s3land.ParseKey(store.Location().Prefix, k)
		if err != nil || o.Source != Name {
			continue
		}
		id, ok := strings.CutPrefix(o.Part, "account=")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || n <= 0 {
			continue
		}
		out[n] = append(out[n], k)
	}
	return out, nil
}

// readLanded reads objects and returns their pages grouped by load, oldest
// load first (by the earliest fetch in it, then load id).
func readLanded(ctx context.Context, store *s3land.Store, keys []string) ([][]Page, error) {
	byLoad := map[string][]Page{}
	for _, k := range keys {
		b, err := store.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		lines, err := s3land.DecodeNDJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		for i, l := range lines {
			var lp landedPage
			if err := json.Unmarshal(l, &lp); err != nil || lp.Entity == "" || lp.Path == "" {
				return nil, fmt.Errorf("%s: line %d is not a landed page", k, i+1)
			}
			byLoad[lp.LoadID] = append(byLoad[lp.LoadID], lp.page())
		}
	}
	loads := make([]string, 0, len(byLoad))
	first := map[string]time.Time{}
	for id, ps := range byLoad {
		loads = append(loads, id)
		for _, p := range ps {
			if t, ok := first[id]; !ok || p.FetchedAt.Before(t) {
				first[id] = p.FetchedAt
			}
		}
	}
	sort.Slice(loads, func(i, j int) bool {
		if !first[loads[i]].Equal(first[loads[j]]) {
			return first[loads[i]].Before(first[loads[j]])
		}
		return loads[i] < loads[j]
	})
	out := make([][]Page, len(loads))
	for i, id := range loads {
		out[i] = byLoad[id]
	}
	return out, nil
}
