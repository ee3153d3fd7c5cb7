package config

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// dbt's resource-config trees (`models:` and `seeds:` in dbt_project.yml)
// are keyed by package name, then folder, then (optionally) resource name.
// A key with '+' is a config; without it, a key is a folder or resource
// when one of that name exists, else a config when it is a config name,
// else it configures nothing and is ignored with a warning (as dbt warns
// about unused config paths).

// dbtLevel is one level of such a tree, before its configs are decoded.
type dbtLevel struct {
	configs  []dbtConfigEntry
	children map[string]*dbtLevel
	leaf     bool // the level of one resource
}

// dbtConfigEntry is one config key of a level, as written.
type dbtConfigEntry struct {
	key     string // without '+'
	keyNode *yaml.Node
	val     *yaml.Node
	field   string
}

// treeLoader reads one resource-config tree.
type treeLoader struct {
	l        *dbtLoader
	kind     string   // "models" or "seeds", for messages
	roots    []string // the resource folders
	ext      string   // the resource files' extension
	isConfig func(string) bool
}

// load reads the mapping n configuring dir (relative to the resource
// folders; "" for their top) into into. top is true for the tree's root,
// where package names are keys.
func (t *treeLoader) load(n *yaml.Node, field, dir string, into *dbtLevel, top bool) {
	d := t.l.d
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, field, "a mapping of folders and +config keys")
		return
	}
	for _, p := range d.Pairs(n, field) {
		key := p.Key.Value
		sub := yamlx.Field(field, key)
		if cfg, ok := strings.CutPrefix(key, "+"); ok {
			into.configs = append(into.configs, dbtConfigEntry{key: cfg, keyNode: p.Key, val: p.Value, field: sub})
			continue
		}
		if !into.leaf {
			if t.isDir(dir, key) {
				t.load(p.Value, sub, path.Join(dir, key), into.child(key, false), false)
				continue
			}
			if t.isFile(dir, key) {
				t.load(p.Value, sub, dir, into.child(key, true), false)
				continue
			}
		}
		switch {
		case t.isConfig(key):
			into.configs = append(into.configs, dbtConfigEntry{key: key, keyNode: p.Key, val: p.Value, field: sub})
		case top && key == t.l.p.Name:
			t.load(p.Value, sub, dir, into, false)
		case top && t.l.isPackage(key):
			t.l.warn(DBTProjectFile, p.Key, sub, fmt.Sprintf("cdw does not build the %s of package %s; ignored", t.kind, key))
		default:
			where := path.Join(t.roots[0], dir)
			t.l.warn(DBTProjectFile, p.Key, sub, fmt.Sprintf("no folder or %s named %q under %s; ignored", strings.TrimSuffix(t.kind, "s"), key, where))
		}
	}
}

// child returns the level of key, creating it.
func (lv *dbtLevel) child(key string, leaf bool) *dbtLevel {
	if lv.children == nil {
		lv.children = make(map[string]*dbtLevel)
	}
	c := lv.children[key]
	if c == nil {
		c = &dbtLevel{leaf: leaf}
		lv.children[key] = c
	}
	return c
}

// isDir reports whether key names a folder inside dir of a resource folder.
func (t *treeLoader) isDir(dir, key string) bool {
	if key == "" || key == "." || key == ".." || strings.ContainsAny(key, `/\`) {
		return false
	}
	for _, root := range t.roots {
		if info, err := fs.Stat(t.l.fsys, path.Join(root, dir, key)); err == nil && info.IsDir() {
			return true
		}
	}
	return false
}

// isFile reports whether key names a resource file inside dir.
func (t *treeLoader) isFile(dir, key string) bool {
	if key == "" || strings.ContainsAny(key, `/\`) {
		return false
	}
	for _, root := range t.roots {
		if info, err := fs.Stat(t.l.fsys, path.Join(root, dir, key+t.ext)); err == nil && !info.IsDir() {
			return true
		}
	}
	return false
}

// dbtModelConfigs are dbt model configs beyond the ones cdw implements
// (and dbtOnlyConfigKeys): names that, without '+', are configs rather
// than folders.
var dbtModelConfigs = map[string]bool{
	"docs": true, "labels": true, "static_analysis": true, "freshness": true, "on_error": true,
	"transient": true, "copy_grants": true, "cluster_by": true, "partition_by": true,
	"file_format": true, "location_root": true, "query_tag": true, "snowflake_warehouse": true,
}

func isModelConfigName(key string) bool {
	return isConfigKey(key) || dbtOnlyConfigKeys[key] || dbtModelConfigs[key]
}

// seedConfigKeys are the seed configs cdw implements; dbtSeedConfigs are
// dbt's other seed configs (ignored with a warning).
var (
	seedConfigKeys = []string{"schema", "tags", "enabled", "column_types", "quote_columns", "delimiter"}
	dbtSeedConfigs = map[string]bool{"alias": true, "database": true, "docs": true, "persist_docs": true, "meta": true,
		"full_refresh": true, "pre-hook": true, "post-hook": true, "pre_hook": true, "post_hook": true, "grants": true,
		"quoting": true, "group": true, "event_time": true}
)

func isSeedConfigKey(key string) bool { return slices.Contains(seedConfigKeys, key) }

func isSeedConfigName(key string) bool { return isSeedConfigKey(key) || dbtSeedConfigs[key] }

// modelTree decodes a `models:` tree into folder config: values cdw
// rejects for a config it implements are errors; configs it does not
// implement are ignored with a warning.
func (l *dbtLoader) modelTree(lv *dbtLevel) *folderConfig {
	d := l.d
	fc := &folderConfig{leaf: lv.leaf}
	for _, e := range lv.configs {
		val := d.Resolve(e.val)
		if val == nil {
			continue
		}
		if msg := fc.config.set(e.key, d.Any(val, e.field), d.Pos(val)); msg != "" {
			if isConfigKey(e.key) {
				d.Report(val, e.field, msg)
			} else {
				l.warn(DBTProjectFile, e.keyNode, e.field, "not supported by cdw; ignored")
			}
		}
	}
	for name, c := range lv.children {
		if fc.children == nil {
			fc.children = make(map[string]*folderConfig)
		}
		fc.children[name] = l.modelTree(c)
	}
	return fc
}

// seedTree is the decoded `seeds:` tree.
type seedTree struct {
	config   SeedConfig
	children map[string]*seedTree
	leaf     bool
}

// seedTree decodes a `seeds:` tree.
func (l *dbtLoader) seedTree(lv *dbtLevel) *seedTree {
	d := l.d
	st := &seedTree{leaf: lv.leaf}
	for _, e := range lv.configs {
		val := d.Resolve(e.val)
		if val == nil {
			continue
		}
		if !isSeedConfigKey(e.key) {
			l.warn(DBTProjectFile, e.keyNode, e.field, "not supported by cdw for seeds; ignored")
			continue
		}
		if msg := st.config.set(e.key, d.Any(val, e.field)); msg != "" {
			d.Report(val, e.field, msg)
		}
	}
	for name, c := range lv.children {
		if st.children == nil {
			st.children = make(map[string]*seedTree)
		}
		st.children[name] = l.seedTree(c)
	}
	return st
}

// set applies one seed config key (one of seedConfigKeys) to c, returning
// a problem message or "".
func (c *SeedConfig) set(key string, v any) string {
	switch key {
	case "schema":
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return "expected a schema name, got " + describeAny(v)
		}
		c.Schema = s
	case "tags":
		tags, msg := stringOrList(v, "a tag or a list of tags")
		if msg != "" {
			return msg
		}
		c.Tags = appendUnique(c.Tags, tags...)
	case "enabled", "quote_columns":
		b, ok := v.(bool)
		if !ok {
			return "expected a boolean, got " + describeAny(v)
		}
		if key == "enabled" {
			c.Enabled = &b
		} else {
			c.QuoteColumns = &b
		}
	case "delimiter":
		s, ok := v.(string)
		if !ok || len([]rune(s)) != 1 || s == "\"" || s == "\n" || s == "\r" {
			return "expected one character other than a quote or a line break, got " + describeAny(v)
		}
		c.Delimiter = s
	case "column_types":
		m, ok := v.(map[string]any)
		if !ok {
			return "expected a mapping of column names to SQL types, got " + describeAny(v)
		}
		if c.ColumnTypes == nil {
			c.ColumnTypes = make(map[string]string, len(m))
		}
		for col, t := range m {
			s, ok := t.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return fmt.Sprintf("column %q: expected an SQL type, got %s", col, describeAny(t))
			}
			c.ColumnTypes[col] = s
		}
	}
	return ""
}
