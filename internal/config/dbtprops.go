package config

import (
	"fmt"
	"io/fs"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// LoadDBTProperties reads the properties YAML files under dirs (a dbt
// project's model, seed and snapshot folders) like LoadProperties, but
// leniently, as dbt reads them: keys and sections cdw does not use (meta,
// docs, constraints, exposures, a test's name or tags, ...) are dropped
// with a warning instead of failing the load, and a test disabled with
// `enabled: false` is dropped. Keys cdw uses are decoded and validated as
// strictly as in a cdw project. The warnings are "path:line:col: message"
// in file order; problems are a yamlx.Diagnostics error.
func LoadDBTProperties(fsys fs.FS, dirs []string) (*Properties, []string, error) {
	props, warnings, err := loadProperties(fsys, prepDBTProps, dirs)
	var out []string
	for _, w := range warnings {
		out = append(out, w.String())
	}
	return props, out, err
}

// propsShape lists the keys cdw reads at one level of a properties file;
// each key maps to the shape of its value (nil: kept as is).
type propsShape struct {
	keys map[string]*propsShape
	// list: the value is a list of elements of this shape.
	list bool
	// tests: the value is a list of tests (see pruneTests).
	tests bool
	// config: a `config:` mapping; keep tells which keys cdw uses.
	keep func(string) bool
	// what names the level in warnings ("model", "column", ...).
	what string
}

func listOf(what string, keys map[string]*propsShape) *propsShape {
	return &propsShape{list: true, what: what, keys: keys}
}

// dbtPropsShape is the shape of a properties file as cdw reads it.
func dbtPropsShape() *propsShape {
	tests := &propsShape{tests: true}
	column := listOf("column", map[string]*propsShape{"name": nil, "description": nil, "data_type": nil, "tests": tests, "data_tests": tests})
	testsAndColumns := func(what string, keys map[string]*propsShape) *propsShape {
		keys["columns"], keys["tests"], keys["data_tests"] = column, tests, tests
		return listOf(what, keys)
	}
	modelConfig := &propsShape{keep: isConfigKey, what: "model config"}
	seedConfig := &propsShape{keep: isSeedConfigKey, what: "seed config"}
	snapshotConfig := &propsShape{what: "snapshot config", keep: func(k string) bool {
		return slices.Contains([]string{"schema", "tags", "enabled", "strategy", "unique_key", "updated_at", "check_cols", "hard_deletes"}, k)
	}}
	sourceConfig := &propsShape{what: "source config", keep: func(k string) bool { return k == "event_time" }}
	table := testsAndColumns("source table", map[string]*propsShape{"name": nil, "identifier": nil, "description": nil,
		"loaded_at_field": nil, "freshness": nil, "config": sourceConfig})
	return &propsShape{what: "properties file", keys: map[string]*propsShape{
		"version": nil,
		"sources": listOf("source", map[string]*propsShape{"name": nil, "schema": nil, "description": nil,
			"loaded_at_field": nil, "freshness": nil, "config": sourceConfig, "tables": table}),
		"models":    testsAndColumns("model", map[string]*propsShape{"name": nil, "description": nil, "config": modelConfig}),
		"seeds":     testsAndColumns("seed", map[string]*propsShape{"name": nil, "description": nil, "config": seedConfig}),
		"snapshots": testsAndColumns("snapshot", map[string]*propsShape{"name": nil, "description": nil, "relation": nil, "config": snapshotConfig}),
		"unit_tests": listOf("unit test", map[string]*propsShape{"name": nil, "model": nil, "description": nil,
			"given": nil, "expect": nil, "overrides": nil, "config": {what: "unit test config", keep: func(k string) bool { return k == "tags" || k == "enabled" }}}),
	}}
}

// dbtTestKeys are keys of a test's body that dbt reads and cdw does not
// (besides arguments and config).
var dbtTestKeys = map[string]string{
	"name":              "custom test names are not supported by cdw (the test keeps its generated name); ignored",
	"description":       "",
	"tags":              "test tags are not supported by cdw; ignored",
	"meta":              "",
	"alias":             "not supported by cdw; ignored",
	"schema":            "not supported by cdw; ignored",
	"database":          "not supported by cdw; ignored",
	"fail_calc":         "not supported by cdw (failures are counted rows); ignored",
	"store_failures_as": "not supported by cdw (failures are stored as tables); ignored",
}

// propsPruner drops what cdw does not read from one properties file.
type propsPruner struct {
	d        *yamlx.Decoder
	file     string
	warnings yamlx.Diagnostics
	seen     map[*yaml.Node]bool // mappings already pruned (anchors)
}

// prepDBTProps is the propsPrep of dbt projects.
func prepDBTProps(file string, root *yaml.Node) (*yaml.Node, yamlx.Diagnostics) {
	pr := &propsPruner{d: yamlx.NewDecoder(file), file: file, seen: map[*yaml.Node]bool{}}
	pr.prune(root, "", dbtPropsShape())
	return root, pr.warnings
}

func (pr *propsPruner) warn(n *yaml.Node, field, msg string) {
	if msg == "" {
		return
	}
	pr.warnings.Add(yamlx.Pos{File: pr.file, Line: n.Line, Col: n.Column}, yamlx.Prefix(field, msg))
}

// prune edits n (at field) in place to the given shape.
func (pr *propsPruner) prune(n *yaml.Node, field string, shape *propsShape) {
	n = pr.d.Resolve(n)
	if n == nil || shape == nil {
		return
	}
	switch {
	case shape.tests:
		pr.pruneTests(n, field)
	case shape.list:
		if n.Kind != yaml.SequenceNode {
			return // the decoder reports it
		}
		elem := &propsShape{keys: shape.keys, what: shape.what}
		for i, item := range n.Content {
			pr.prune(item, yamlx.Elem(field, i), elem)
		}
	case shape.keep != nil:
		pr.filter(n, field, func(k string) (*propsShape, string, bool) {
			if shape.keep(k) {
				return nil, "", true
			}
			if k == "enabled" {
				return nil, "", false // enabled: false was handled by the caller
			}
			return nil, fmt.Sprintf("not supported by cdw in a %s; ignored", shape.what), false
		})
	default:
		pr.filter(n, field, func(k string) (*propsShape, string, bool) {
			if sub, ok := shape.keys[k]; ok {
				return sub, "", true
			}
			return nil, fmt.Sprintf("not used by cdw in a %s; ignored", shape.what), false
		})
	}
}

// filter keeps the keys of mapping n that decide accepts (pruning their
// values to the returned shape) and drops the others with decide's
// warning. Merge keys are kept and their sources filtered the same way.
func (pr *propsPruner) filter(n *yaml.Node, field string, decide func(string) (*propsShape, string, bool)) {
	if n.Kind != yaml.MappingNode || pr.seen[n] {
		return
	}
	pr.seen[n] = true
	var kept []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			kept = append(kept, k, v)
			continue
		}
		if k.ShortTag() == "!!merge" {
			src := pr.d.Resolve(v)
			if src != nil && src.Kind == yaml.SequenceNode {
				for _, s := range src.Content {
					if s = pr.d.Resolve(s); s != nil {
						pr.filter(s, field, decide)
					}
				}
			} else if src != nil {
				pr.filter(src, field, decide)
			}
			kept = append(kept, k, v)
			continue
		}
		sub, msg, ok := decide(k.Value)
		if !ok {
			pr.warn(k, yamlx.Field(field, k.Value), msg)
			continue
		}
		pr.prune(v, yamlx.Field(field, k.Value), sub)
		kept = append(kept, k, v)
	}
	n.Content = kept
}

// pruneTests edits a list of tests: a test with `enabled: false` (beside
// its arguments or under config:) is removed, and the keys of a test body
// that dbt reads and cdw does not are dropped with a warning.
func (pr *propsPruner) pruneTests(n *yaml.Node, field string) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	var kept []*yaml.Node
	for i, item := range n.Content {
		entry := pr.d.Resolve(item)
		if entry == nil || entry.Kind != yaml.MappingNode || len(entry.Content) != 2 {
			kept = append(kept, item)
			continue
		}
		name := entry.Content[0].Value
		body := pr.d.Resolve(entry.Content[1])
		sub := yamlx.Field(yamlx.Elem(field, i), name)
		if body == nil || body.Kind != yaml.MappingNode {
			kept = append(kept, item)
			continue
		}
		if pr.disabled(body) {
			continue
		}
		pr.filter(body, sub, func(k string) (*propsShape, string, bool) {
			switch k {
			case "config":
				return &propsShape{what: "test config", keep: func(c string) bool { return slices.Contains(testConfigKeys, c) }}, "", true
			case "enabled":
				return nil, "", false // true: the default
			}
			if msg, known := dbtTestKeys[k]; known {
				return nil, msg, false
			}
			return nil, "", true // an argument
		})
		kept = append(kept, item)
	}
	n.Content = kept
}

// disabled reports whether a test body sets enabled: false, directly or
// under config:.
func (pr *propsPruner) disabled(body *yaml.Node) bool {
	isFalse := func(v *yaml.Node) bool {
		v = pr.d.Resolve(v)
		return v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!bool" && (v.Value == "false" || v.Value == "False" || v.Value == "FALSE")
	}
	for i := 0; i+1 < len(body.Content); i += 2 {
		switch body.Content[i].Value {
		case "enabled":
			if isFalse(body.Content[i+1]) {
				return true
			}
		case "config":
			cfg := pr.d.Resolve(body.Content[i+1])
			if cfg == nil || cfg.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(cfg.Content); j += 2 {
				if cfg.Content[j].Value == "enabled" && isFalse(cfg.Content[j+1]) {
					return true
				}
			}
		}
	}
	return false
}
