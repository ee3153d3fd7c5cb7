package billing

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Settings are the `extractors: billing:` block of project.yml. Secrets
// come from the environment through ${VAR} references; they are never
// printed. Every key is optional; what a run needs is checked when the
// run is prepared.
type Settings struct {
	// PublicURL is the public REST API (static bearer token);
	// InternalURL the internal API (password grant at <InternalURL>/Token).
	PublicURL   string `yaml:"public_url"`
	InternalURL string `yaml:"internal_url"`
	// Token is the public API's bearer token.
	Token string `yaml:"token"`
	// Username and Password are the internal API's credentials.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Referer is sent with token requests, as the platform expects.
	Referer string `yaml:"referer"`
	// Accounts is the account universe (one of query, file, range).
	Accounts Accounts `yaml:"accounts"`
	// Limits caps the configured universe per target ({local: 50}): the
	// first N accounts in id order. Targets not listed (production) get
	// every account. An explicit --accounts list is never capped.
	Limits map[string]int `yaml:"limits"`
	// Entities to fetch (default all, see Entities).
	Entities []string `yaml:"entities"`
	// Concurrency is how many accounts are fetched at once (default 4).
	Concurrency int `yaml:"concurrency"`
	// RateLimit is requests per second over both APIs (0: unlimited);
	// Burst how many may go at once.
	RateLimit float64 `yaml:"rate_limit"`
	Burst     int     `yaml:"burst"`
	// MaxAttempts per request (default 5), Timeout per attempt (default
	// 30s), backoff between attempts from BackoffBase (250ms) doubling to
	// BackoffMax (30s), and the longest Retry-After honoured (2m).
	MaxAttempts   int      `yaml:"max_attempts"`
	Timeout       Duration `yaml:"timeout"`
	BackoffBase   Duration `yaml:"backoff_base"`
	BackoffMax    Duration `yaml:"backoff_max"`
	MaxRetryAfter Duration `yaml:"max_retry_after"`
	// IncludeHistory asks for every meter point ever associated with the
	// account (default true).
	IncludeHistory *bool `yaml:"include_history"`
	// ReadingsLookbackDays re-reads this many days before the newest
	// reading already loaded (default 0), to catch late-arriving reads.
	ReadingsLookbackDays int `yaml:"readings_lookback_days"`
	// Land, when set, lands raw pages there before loading (s3://bucket/prefix).
	Land string `yaml:"land"`
	// S3 configures the S3 client for Land and for loading landed pages.
	S3 S3Settings `yaml:"s3"`
}

// Accounts selects the account universe.
type Accounts struct {
	Pos yamlx.Pos
	// Query is SQL run on the target; its first column is the account id.
	Query string `yaml:"query"`
	// File lists account ids, one per line (# comments), relative to the project.
	File string `yaml:"file"`
	// Range is ids like "1-500" or "1-20,35".
	Range string `yaml:"range"`
}

// S3Settings configure the S3 client. Credentials come from the AWS
// default chain (environment, shared config, instance role).
type S3Settings struct {
	// Region (default eu-west-2).
	Region string `yaml:"region"`
	// Endpoint for S3-compatible stores (MinIO, ...); default AWS.
	Endpoint string `yaml:"endpoint"`
	// PathStyle addresses buckets as a path (needed by most S3-compatible
	// stores): true/false, or a string such as "${CDW_S3_PATH_STYLE:-false}".
	PathStyle Bool `yaml:"path_style"`
}

// Bool is a boolean that may also be written as the string "true" or
// "false" (so it can come from an environment variable).
type Bool bool

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (b *Bool) UnmarshalYAMLX(dec *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		return
	}
	switch strings.ToLower(n.Value) {
	case "true":
		*b = true
	case "false", "":
		*b = false
	default:
		dec.TypeError(n, field, "true or false")
	}
}

// Duration is a Go duration in YAML ("30s", "250ms").
type Duration struct{ time.Duration }

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (d *Duration) UnmarshalYAMLX(dec *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		return
	}
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 0 {
		dec.TypeError(n, field, `a duration such as "30s" or "250ms"`)
		return
	}
	d.Duration = v
}

// settingsField is the key path of the settings in project.yml.
const settingsField = "extractors.billing"

// DecodeSettings decodes and checks node (the extractor's settings, nil
// when project.yml has none). Problems are yamlx.Diagnostics positioned in
// project.yml.
func DecodeSettings(node *yaml.Node) (*Settings, error) {
	s := &Settings{}
	if node == nil {
		return s, nil
	}
	d := yamlx.NewDecoder(config.ProjectFile)
	d.Decode(node, settingsField, s)
	at := func(path ...string) *yaml.Node {
		if n := find(node, path...); n != nil {
			return n
		}
		return node
	}
	for i, e := range s.Entities {
		if !slices.Contains(Entities, e) {
			n := at("entities")
			if i < len(n.Content) {
				n = n.Content[i]
			}
			d.Report(n, yamlx.Elem(settingsField+".entities", i), yamlx.UnknownMessage("entity", e, Entities))
		}
	}
	if s.Entities != nil && slices.Contains(s.Entities, EntityBillableReadings) && !slices.Contains(s.Entities, EntityMeterPoints) {
		d.Report(at("entities"), settingsField+".entities", "billable_readings needs meterpoints (it asks per meter point)")
	}
	n := 0
	for _, v := range []string{s.Accounts.Query, s.Accounts.File, s.Accounts.Range} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		d.Report(at("accounts"), settingsField+".accounts", "give one of query, file or range")
	}
	if s.Accounts.Range != "" {
		if _, err := ParseAccounts(s.Accounts.Range); err != nil {
			d.Report(at("accounts", "range"), settingsField+".accounts.range", err.Error())
		}
	}
	for _, k := range []struct {
		key string
		val int
		max int
	}{{"concurrency", s.Concurrency, 256}, {"burst", s.Burst, 100000}, {"max_attempts", s.MaxAttempts, 100}, {"readings_lookback_days", s.ReadingsLookbackDays, 3660}} {
		if k.val < 0 || k.val > k.max {
			d.Reportf(at(k.key), settingsField+"."+k.key, "must be between 0 and %d", k.max)
		}
	}
	if s.RateLimit < 0 {
		d.Report(at("rate_limit"), settingsField+".rate_limit", "must not be negative")
	}
	for target, limit := range s.Limits {
		if limit < 1 {
			d.Report(at("limits", target), settingsField+".limits."+target, "must be at least 1")
		}
	}
	for _, k := range []struct{ key, val string }{{"public_url", s.PublicURL}, {"internal_url", s.InternalURL}} {
		if k.val == "" {
			continue
		}
		if u, err := url.Parse(k.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.Report(at(k.key), settingsField+"."+k.key, "must be an http(s) URL")
		} else if u.User != nil {
			d.Report(at(k.key), settingsField+"."+k.key, "must not carry credentials; use token, username and password")
		}
	}
	if s.Land != "" && !strings.HasPrefix(s.Land, "s3://") {
		d.Report(at("land"), settingsField+".land", "must be an s3://bucket/prefix URL")
	}
	if err := d.Diagnostics().Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// find returns the value node at a key path inside mapping n, or nil.
func find(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// posOf renders the position of the value at path for messages
// ("project.yml:12:5"), or the settings' own position.
func posOf(node *yaml.Node, path ...string) string {
	n := find(node, path...)
	if n == nil {
		n = node
	}
	if n == nil {
		return config.ProjectFile
	}
	return fmt.Sprintf("%s:%d:%d", config.ProjectFile, n.Line, n.Column)
}

// entities returns the entities to fetch.
func (s *Settings) entities() []string {
	if len(s.Entities) == 0 {
		return Entities
	}
	var out []string
	for _, e := range Entities { // fetch order, whatever the settings' order
		if slices.Contains(s.Entities, e) {
			out = append(out, e)
		}
	}
	return out
}
