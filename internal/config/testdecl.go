package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// testName is the shape of a generic test name, optionally package-qualified.
var testName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

var (
	severities     = []string{SeverityError, SeverityWarn}
	testConfigKeys = []string{"severity", "where", "limit", "warn_if", "error_if", "store_failures", "new_rows_only"}
)

// testList decodes a `tests:` / `data_tests:` list. Each entry is a test
// name, or a one-key mapping from the name to its body; the body holds
// arguments either under `arguments:` (dbt 1.10+) or directly (older
// form), and config either under `config:` or directly beside them.
type testList struct {
	tests []TestDecl
	set   bool
	pos   yamlx.Pos
}

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (l *testList) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	l.set, l.pos = true, d.Pos(n)
	if yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.TypeError(n, field, "a list of tests")
		return
	}
	for i, item := range n.Content {
		if t, ok := decodeTest(d, item, yamlx.Elem(field, i)); ok {
			l.tests = append(l.tests, t)
		}
	}
}

// decodeTest decodes one test entry.
func decodeTest(d *yamlx.Decoder, n *yaml.Node, field string) (TestDecl, bool) {
	n = d.Resolve(n)
	if n == nil {
		return TestDecl{}, false
	}
	t := TestDecl{Args: map[string]any{}, Severity: SeverityError, Pos: d.Pos(n)}
	var body *yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		t.Name = n.Value
	case n.Kind == yaml.MappingNode:
		pairs := d.Pairs(n, field)
		if len(pairs) != 1 {
			d.Reportf(n, field, "a test is a name or a mapping with one key, the test name (got %d keys)", len(pairs))
			return t, false
		}
		t.Name, body = pairs[0].Key.Value, pairs[0].Value
	default:
		d.TypeError(n, field, "a test name or a mapping of a test name to its arguments")
		return t, false
	}
	if !testName.MatchString(t.Name) {
		d.Reportf(n, field, "%q is not a valid test name", t.Name)
		return t, false
	}
	ok := decodeTestBody(d, body, yamlx.Field(field, t.Name), &t)
	return t, ok
}

// decodeTestBody fills t's arguments and config from the value under the
// test name (nil for a bare name).
func decodeTestBody(d *yamlx.Decoder, body *yaml.Node, field string, t *TestDecl) bool {
	body = d.Resolve(body)
	if body == nil || yamlx.IsNull(body) {
		return true
	}
	if body.Kind != yaml.MappingNode {
		d.TypeError(body, field, "a mapping of arguments")
		return false
	}
	before := len(d.Diagnostics())
	pairs := d.Pairs(body, field)
	hasArguments := slices.ContainsFunc(pairs, func(p yamlx.Pair) bool { return p.Key.Value == "arguments" })
	configSet := map[string]*yaml.Node{}
	for _, p := range pairs {
		key, sub := p.Key.Value, yamlx.Field(field, p.Key.Value)
		switch {
		case key == "arguments":
			args, ok := d.Any(p.Value, sub).(map[string]any)
			if !ok {
				if v := d.Resolve(p.Value); v != nil && !yamlx.IsNull(v) {
					d.TypeError(v, sub, "a mapping of arguments")
				}
				continue
			}
			t.Args = args
		case key == "config":
			cfg := d.Resolve(p.Value)
			if cfg == nil || yamlx.IsNull(cfg) {
				continue
			}
			if cfg.Kind != yaml.MappingNode {
				d.TypeError(cfg, sub, "a mapping of test config")
				continue
			}
			for _, cp := range d.Pairs(cfg, sub) {
				if !slices.Contains(testConfigKeys, cp.Key.Value) {
					d.UnknownKey(cp.Key, sub, testConfigKeys)
					continue
				}
				setTestConfig(d, cp, yamlx.Field(sub, cp.Key.Value), t, configSet)
			}
		case slices.Contains(testConfigKeys, key):
			setTestConfig(d, p, sub, t, configSet)
		case hasArguments:
			d.Report(p.Key, sub, "unexpected key beside arguments:; put test arguments under arguments: and config under config:")
		default:
			t.Args[key] = d.Any(p.Value, sub)
		}
	}
	return len(d.Diagnostics()) == before
}

// setTestConfig applies one test config key.
func setTestConfig(d *yamlx.Decoder, p yamlx.Pair, field string, t *TestDecl, set map[string]*yaml.Node) {
	key := p.Key.Value
	if prev, dup := set[key]; dup {
		d.Reportf(p.Key, field, "%s is already set at line %d", key, prev.Line)
		return
	}
	set[key] = p.Key
	v := d.Resolve(p.Value)
	if v == nil {
		return
	}
	switch key {
	case "limit":
		var n int
		d.Decode(v, field, &n)
		if n < 0 || (n == 0 && v.ShortTag() == "!!int") {
			d.Report(v, field, "must be a positive whole number")
			return
		}
		t.Limit = n
		return
	case "store_failures":
		var b bool
		d.Decode(v, field, &b)
		t.StoreFailures = &b
		return
	case "new_rows_only":
		d.Decode(v, field, &t.NewRowsOnly)
		return
	}
	if v.Kind != yaml.ScalarNode || yamlx.IsNull(v) {
		d.TypeError(v, field, "a string")
		return
	}
	switch key {
	case "warn_if", "error_if":
		c, err := quality.ParseCondition(v.Value)
		if err != nil {
			d.Report(v, field, err.Error())
			return
		}
		if key == "warn_if" {
			t.WarnIf = c
		} else {
			t.ErrorIf = c
		}
	case "severity":
		s := strings.ToLower(v.Value)
		if !slices.Contains(severities, s) {
			d.Report(v, field, strings.Replace(yamlx.UnknownMessage("severity", v.Value, severities),
				"unknown severity", fmt.Sprintf("unknown severity %q", v.Value), 1))
			return
		}
		t.Severity = s
	case "where":
		t.Where = v.Value
	}
}

// configMapping decodes a properties `config:` block into a ModelConfig
// layer, keys without '+'.
type configMapping struct {
	config ModelConfig
}

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (c *configMapping) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, field, "a mapping of config keys")
		return
	}
	for _, p := range d.Pairs(n, field) {
		key, sub := p.Key.Value, yamlx.Field(field, p.Key.Value)
		if strings.HasPrefix(key, "+") {
			d.Report(p.Key, sub, "drop the '+': it marks config keys only in project.yml folders")
			continue
		}
		v := d.Resolve(p.Value)
		if v == nil {
			continue
		}
		if msg := c.config.set(key, d.Any(v, sub), d.Pos(v)); msg != "" {
			at := v
			if !isConfigKey(key) {
				at = p.Key
			}
			d.Report(at, sub, msg)
		}
	}
}
