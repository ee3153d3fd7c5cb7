package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Page is one API response as the extractor keeps it: what was asked, when,
// and the body as received. It is also the line format of landed NDJSON
// files, so a landed page loads exactly like a fetched one.
type Page struct {
	Account int64  `json:"account_id"`
	Entity  string `json:"entity"`
	Method  string `json:"method"`
	Path    string `json:"path"` // request URI as sent (path and query, no host)
	Page    int    `json:"page"` // 1.. for paged endpoints, 0 otherwise
	// MeterPoint is the meter point asked about (billable readings).
	MeterPoint int64           `json:"meter_point_id,omitempty"`
	Status     int             `json:"status"`
	FetchedAt  time.Time       `json:"fetched_at"`
	LoadID     string          `json:"load_id"`
	Body       json.RawMessage `json:"body"`
}

// sha returns the hex SHA-256 of the page's body.
func (p *Page) sha() string {
	s := sha256.Sum256(p.Body)
	return hex.EncodeToString(s[:])
}

// responseID identifies the response among the account's: the SHA-256 of
// the request path and the body hash.
func (p *Page) responseID(bodySHA string) string {
	s := sha256.Sum256([]byte(p.Path + "\x00" + bodySHA))
	return hex.EncodeToString(s[:])
}

// source names the request in quarantine records: "POST /api/account/...".
func (p *Page) source() string { return p.Method + " " + p.Path }

// cursor is an (account, entity)'s committed state: the body hash of each
// request last loaded, and for readings the newest reading date loaded.
type cursor struct {
	Pages  map[string]string `json:"pages,omitempty"`  // request path → body SHA-256
	Newest string            `json:"newest,omitempty"` // readings: newest meterReadingDateTime, as delivered
}

// parseCursor reads a committed cursor; an empty or unreadable one is no
// cursor (the entity is fetched in full).
func parseCursor(s string) *cursor {
	c := &cursor{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), c)
	}
	if c.Pages == nil {
		c.Pages = map[string]string{}
	}
	return c
}

func (c *cursor) String() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	return string(b)
}

// newestTime is the cursor's newest reading date, and whether it has one.
func (c *cursor) newestTime() (time.Time, bool) {
	if c.Newest == "" {
		return time.Time{}, false
	}
	t, err := parseWhen(c.Newest)
	return t, err == nil
}
