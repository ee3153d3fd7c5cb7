package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Target types cdw can connect to.
const (
	TypeDuckDB   = "duckdb"
	TypePostgres = "postgres"
	TypeRedshift = "redshift"
)

var (
	targetTypes = []string{TypeDuckDB, TypePostgres, TypeRedshift}
	// targetKeys lists every key a target may have, in documentation order.
	targetKeys = []string{"type", "path", "url", "host", "port", "user", "password", "dbname", "sslmode", "schema", "threads"}
	sslModes   = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
	// keysByType lists the keys each target type accepts.
	keysByType = map[string][]string{
		TypeDuckDB:   {"type", "path", "schema", "threads"},
		TypePostgres: {"type", "url", "host", "port", "user", "password", "dbname", "sslmode", "schema", "threads"},
		TypeRedshift: {"type", "url", "host", "port", "user", "password", "dbname", "sslmode", "schema", "threads"},
	}
	intTargetKeys = map[string]bool{"port": true, "threads": true}
)

// Target is one resolved connection target from project.yml, with
// environment references expanded and defaults applied.
//
// Password (and a password inside URL) is a secret: String, GoString and
// Redacted never print it, so a Target is safe to log with %v, %+v or %#v.
type Target struct {
	// Name is the key under targets:.
	Name string
	// Type is duckdb, postgres or redshift.
	Type string
	// Path is the DuckDB database file, as written (relative paths are
	// relative to the project root; the caller resolves them). "" means an
	// in-memory database.
	Path string
	// URL is a PostgreSQL connection URL or keyword/value string; when set,
	// the Host..SSLMode fields are empty.
	URL string
	// Host, Port, User, Password, DBName and SSLMode are the discrete
	// connection settings of postgres and redshift targets when URL is not
	// used. Port defaults to 5432 (postgres) or 5439 (redshift).
	Host     string
	Port     int
	User     string
	Password string
	DBName   string
	SSLMode  string
	// Schema is the default schema: "main" for duckdb, "public" otherwise.
	Schema string
	// Threads is the number of models built concurrently, at least 1
	// (default 4).
	Threads int
	// Pos is where the target is declared in project.yml.
	Pos yamlx.Pos
}

// String returns Redacted().
func (t Target) String() string { return t.Redacted() }

// GoString returns Redacted(), so that %#v does not leak the password.
func (t Target) GoString() string { return "config.Target{" + t.Redacted() + "}" }

// Redacted describes the target without its secrets, e.g.
// `dev (postgres url=postgres://app:xxxxx@db:5432/cdw schema=cdw_dev threads=4)`.
// A password, whether a field, the user-info part of URL, or a password
// parameter inside URL, is shown as xxxxx.
func (t Target) Redacted() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("path", t.Path)
	add("url", redactURL(t.URL))
	add("host", t.Host)
	if t.Port != 0 {
		add("port", strconv.Itoa(t.Port))
	}
	add("user", t.User)
	if t.Password != "" {
		add("password", "xxxxx")
	}
	add("dbname", t.DBName)
	add("sslmode", t.SSLMode)
	add("schema", t.Schema)
	add("threads", strconv.Itoa(t.Threads))
	return fmt.Sprintf("%s (%s %s)", t.Name, t.Type, strings.Join(parts, " "))
}

// passwordParam matches a password in keyword/value connection strings and
// URL query strings.
var passwordParam = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)

// redactURL hides the password of a connection URL or keyword/value string.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && strings.Contains(s, "://") {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		s = u.String()
	} else if strings.Contains(s, "://") {
		return "xxxxx (unparsable URL hidden)"
	}
	return passwordParam.ReplaceAllString(s, "${1}xxxxx")
}

// targetBuilder turns the raw mapping of one target into a Target.
type targetBuilder struct {
	d      *yamlx.Decoder
	lookup func(string) (string, bool)
	// check is true at load time: environment references are only checked
	// for syntax, and values containing them are not validated further.
	check bool
}

// checkLookup pretends every variable is set (to ""), for syntax checks.
func checkLookup(string) (string, bool) { return "", true }

// build decodes the target name declared by n (the value under
// targets.<name>).
func (b *targetBuilder) build(name string, n *yaml.Node) Target {
	d := b.d
	field := yamlx.Field("targets", name)
	t := Target{Name: name, Pos: d.Pos(n)}
	if yamlx.IsNull(n) || n.Kind != yaml.MappingNode {
		if yamlx.IsNull(n) {
			d.Reportf(n, field, "missing required key %q", "type")
		} else {
			d.TypeError(n, field, "a mapping")
		}
		return t
	}
	type entry struct {
		key, val *yaml.Node
		text     string
		deferred bool
	}
	entries := make(map[string]entry)
	var order []string
	for _, p := range d.Pairs(n, field) {
		key := p.Key.Value
		sub := yamlx.Field(field, key)
		if !slices.Contains(targetKeys, key) {
			d.UnknownKey(p.Key, field, targetKeys)
			continue
		}
		val := d.Resolve(p.Value)
		if val == nil || yamlx.IsNull(val) {
			continue
		}
		if val.Kind != yaml.ScalarNode {
			if intTargetKeys[key] {
				d.TypeError(val, sub, "an integer")
			} else {
				d.TypeError(val, sub, "a string")
			}
			continue
		}
		e := entry{key: p.Key, val: val, text: val.Value}
		if val.ShortTag() == "!!str" && hasEnvRef(val.Value) {
			lookup := b.lookup
			if b.check {
				lookup = checkLookup
			}
			text, problems := expandEnv(val.Value, lookup, false)
			for _, pr := range problems {
				d.Report(val, sub, pr)
			}
			// A value that failed to expand is still present (so no
			// "missing key" follows), but is not validated further.
			e.text, e.deferred = text, b.check || len(problems) > 0
		} else if intTargetKeys[key] && val.ShortTag() != "!!int" {
			d.TypeError(val, sub, "an integer")
			continue
		}
		entries[key] = e
		order = append(order, key)
	}

	typ, hasType := entries["type"]
	switch {
	case !hasType:
		d.Reportf(n, field, "missing required key %q", "type")
		return t
	case typ.deferred:
		return t // the type is only known once expanded
	case !slices.Contains(targetTypes, typ.text):
		d.Report(typ.val, yamlx.Field(field, "type"),
			strings.Replace(yamlx.UnknownMessage("target type", typ.text, targetTypes),
				"unknown target type", fmt.Sprintf("unknown target type %q", typ.text), 1))
		return t
	}
	t.Type = typ.text
	allowed := keysByType[t.Type]
	for _, key := range order {
		e := entries[key]
		sub := yamlx.Field(field, key)
		if !slices.Contains(allowed, key) {
			d.Reportf(e.key, sub, "not used by %s targets (they take %s)", t.Type, strings.Join(allowed[1:], ", "))
			continue
		}
		if e.deferred {
			continue
		}
		b.assign(&t, key, e.text, e.val, sub)
	}
	b.defaults(&t, entries["url"].key != nil, entries["host"].key != nil, n, field)
	if url, ok := entries["url"]; ok && !url.deferred && t.URL != "" {
		if msg := checkURL(t.URL); msg != "" {
			d.Report(url.val, yamlx.Field(field, "url"), msg)
		}
	}
	return t
}

// assign sets one validated key of t from its (expanded) text.
func (b *targetBuilder) assign(t *Target, key, text string, val *yaml.Node, field string) {
	d := b.d
	if intTargetKeys[key] {
		i, err := strconv.Atoi(strings.TrimSpace(text))
		switch {
		case err != nil && val.ShortTag() == "!!str":
			d.Reportf(val, field, "expected an integer, got %q (from %s)", text, val.Value)
			return
		case err != nil:
			d.TypeError(val, field, "an integer")
			return
		case key == "threads" && i < 1:
			d.Reportf(val, field, "must be at least 1, got %d", i)
			return
		case key == "port" && (i < 1 || i > 65535):
			d.Reportf(val, field, "must be a TCP port (1-65535), got %d", i)
			return
		}
		if key == "threads" {
			t.Threads = i
		} else {
			t.Port = i
		}
		return
	}
	switch key {
	case "path":
		t.Path = text
	case "url":
		t.URL = text
	case "host":
		t.Host = text
	case "user":
		t.User = text
	case "password":
		t.Password = text
	case "dbname":
		t.DBName = text
	case "sslmode":
		if !slices.Contains(sslModes, text) {
			d.Report(val, field, strings.Replace(yamlx.UnknownMessage("sslmode", text, sslModes),
				"unknown sslmode", fmt.Sprintf("unknown sslmode %q", text), 1))
			return
		}
		t.SSLMode = text
	case "schema":
		t.Schema = text
	}
}

// defaults fills in default values and checks the combination of keys.
func (b *targetBuilder) defaults(t *Target, hasURL, hasHost bool, n *yaml.Node, field string) {
	if t.Threads == 0 {
		t.Threads = 4
	}
	if t.Type == TypeDuckDB {
		if t.Schema == "" {
			t.Schema = "main"
		}
		return
	}
	if t.Schema == "" {
		t.Schema = "public"
	}
	switch {
	case hasURL && hasHost:
		b.d.Reportf(n, field, "set either url or host/port/user/password/dbname/sslmode, not both")
	case !hasURL && !hasHost:
		b.d.Reportf(n, field, "%s targets need url or host", t.Type)
	case hasHost && t.Port == 0:
		t.Port = 5432
		if t.Type == TypeRedshift {
			t.Port = 5439
		}
	}
}

// checkURL validates a connection URL without echoing it (it may hold a
// password). Keyword/value strings ("host=... dbname=...") are accepted.
func checkURL(s string) string {
	if !strings.Contains(s, "://") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return "not a valid URL: " + ue.Err.Error()
		}
		return "not a valid URL"
	}
	switch u.Scheme {
	case "postgres", "postgresql":
	case "secret":
		// secret://NAME#KEY: the whole URL comes from a secret at connect time.
	default:
		return fmt.Sprintf("URL scheme must be postgres://, postgresql:// or secret://, got %q", u.Scheme+"://")
	}
	return ""
}
