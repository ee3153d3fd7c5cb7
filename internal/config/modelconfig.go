package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Materializations cdw knows.
const (
	MaterializedView        = "view"
	MaterializedTable       = "table"
	MaterializedIncremental = "incremental"
	MaterializedEphemeral   = "ephemeral"
)

// Incremental strategies cdw knows.
const (
	StrategyAppend = "append"
	StrategyMerge  = "merge"
)

var (
	materializations = []string{MaterializedView, MaterializedTable, MaterializedIncremental, MaterializedEphemeral}
	strategies       = []string{StrategyAppend, StrategyMerge}
	// modelConfigKeys are the keys ModelConfig understands, in documentation order.
	modelConfigKeys = []string{"materialized", "schema", "tags", "enabled", "unique_key", "incremental_strategy"}
)

// dbtOnlyConfigKeys are dbt model configs cdw does not implement; they get a
// clearer message than an unknown key.
var dbtOnlyConfigKeys = map[string]bool{
	"alias": true, "database": true, "meta": true, "docs": true, "persist_docs": true,
	"pre_hook": true, "post_hook": true, "pre-hook": true, "post-hook": true, "grants": true,
	"contract": true, "constraints": true, "full_refresh": true, "on_schema_change": true,
	"indexes": true, "dist": true, "sort": true, "sort_type": true, "bind": true,
	"group": true, "access": true, "sql_header": true, "incremental_predicates": true,
	"merge_update_columns": true, "merge_exclude_columns": true, "event_time": true,
	"batch_size": true, "lookback": true, "begin": true, "on_configuration_change": true,
	"quoting": true, "column_types": true, "unlogged": true,
}

// ModelConfigKeys returns the config keys a model accepts (as `+key` in
// project.yml folders, in `config:` of properties YAML and in `config()`).
func ModelConfigKeys() []string { return slices.Clone(modelConfigKeys) }

// ModelConfig is a model's configuration, or one layer of it. The zero
// value sets nothing; fields that are unset in a layer ("" / nil) inherit
// from the layers below when merged. Use the Effective* and IsEnabled
// methods to read a fully merged config with cdw's defaults applied.
type ModelConfig struct {
	// Materialized is view, table, incremental or ephemeral ("" = unset).
	Materialized string
	// Schema is the custom schema ("" = unset: the target's schema).
	Schema string
	// Tags accumulate down the layers: a layer's tags are appended to those
	// of the layers below, without duplicates.
	Tags []string
	// Enabled is nil when unset (enabled by default).
	Enabled *bool
	// UniqueKey is the incremental key, one or more columns (nil = unset).
	UniqueKey []string
	// IncrementalStrategy is append or merge ("" = unset).
	IncrementalStrategy string
	// Origins records, for each key set by a layer, where the winning value
	// was written (for tags: the last layer that added some). It may be nil.
	Origins map[string]yamlx.Pos
}

// Merge returns c overlaid with over, the more specific layer: every key
// set in over replaces c's value, except tags, which are appended. Neither
// c nor over is modified, and the result shares no slices or maps with
// them.
func (c ModelConfig) Merge(over ModelConfig) ModelConfig {
	out := ModelConfig{
		Materialized:        pick(over.Materialized, c.Materialized),
		Schema:              pick(over.Schema, c.Schema),
		IncrementalStrategy: pick(over.IncrementalStrategy, c.IncrementalStrategy),
		Tags:                appendUnique(slices.Clone(c.Tags), over.Tags...),
		Enabled:             c.Enabled,
		UniqueKey:           slices.Clone(c.UniqueKey),
	}
	if over.Enabled != nil {
		out.Enabled = over.Enabled
	}
	if out.Enabled != nil {
		e := *out.Enabled
		out.Enabled = &e
	}
	if over.UniqueKey != nil {
		out.UniqueKey = slices.Clone(over.UniqueKey)
	}
	if len(c.Origins)+len(over.Origins) > 0 {
		out.Origins = maps.Clone(c.Origins)
		if out.Origins == nil {
			out.Origins = make(map[string]yamlx.Pos, len(over.Origins))
		}
		maps.Copy(out.Origins, over.Origins)
	}
	return out
}

// IsEnabled reports whether the model is enabled (the default).
func (c ModelConfig) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// EffectiveMaterialized returns the materialization, "view" when unset.
func (c ModelConfig) EffectiveMaterialized() string { return pick(c.Materialized, MaterializedView) }

// EffectiveIncrementalStrategy returns the incremental strategy; when unset
// it is merge if a unique key is set and append otherwise.
func (c ModelConfig) EffectiveIncrementalStrategy() string {
	if c.IncrementalStrategy != "" {
		return c.IncrementalStrategy
	}
	if len(c.UniqueKey) > 0 {
		return StrategyMerge
	}
	return StrategyAppend
}

// Check returns the problems of a fully merged config that no single layer
// can see, as messages: currently that the merge strategy needs a
// unique_key. It returns nil when there are none.
func (c ModelConfig) Check() []string {
	if c.EffectiveMaterialized() == MaterializedIncremental &&
		c.IncrementalStrategy == StrategyMerge && len(c.UniqueKey) == 0 {
		return []string{"incremental_strategy: merge needs a unique_key"}
	}
	return nil
}

// ParseModelConfig builds a config layer from plain values, as given to the
// `config()` call in a model's SQL (materialized='table', tags=['a'], ...).
// Every problem is returned as a yamlx.Diagnostics at pos (one per bad key,
// "key: message"), and the keys that were fine are still set. pos is also
// recorded as the origin of every key.
func ParseModelConfig(values map[string]any, pos yamlx.Pos) (ModelConfig, error) {
	var c ModelConfig
	var diags yamlx.Diagnostics
	keys := slices.Sorted(maps.Keys(values))
	for _, k := range keys {
		if msg := c.set(k, values[k], pos); msg != "" {
			diags.Add(pos, yamlx.Prefix(k, msg))
		}
	}
	return c, diags.Err()
}

// isConfigKey reports whether key is a model config key cdw implements.
func isConfigKey(key string) bool { return slices.Contains(modelConfigKeys, key) }

// set applies one config key to c, returning a problem message or "".
func (c *ModelConfig) set(key string, v any, pos yamlx.Pos) string {
	switch key {
	case "materialized":
		s, msg := oneOf(v, "materialization", materializations)
		if msg != "" {
			return msg
		}
		c.Materialized = s
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
	case "enabled":
		b, ok := v.(bool)
		if !ok {
			return "expected a boolean, got " + describeAny(v)
		}
		c.Enabled = &b
	case "unique_key":
		cols, msg := stringOrList(v, "a column name or a list of column names")
		if msg != "" {
			return msg
		}
		if len(cols) == 0 {
			return "expected at least one column"
		}
		c.UniqueKey = cols
	case "incremental_strategy":
		s, msg := oneOf(v, "incremental strategy", strategies)
		if msg != "" {
			return msg
		}
		c.IncrementalStrategy = s
	case "description":
		return "description is not a config key; describe models in a properties YAML file (models: - name: ... description: ...)"
	default:
		if dbtOnlyConfigKeys[key] {
			return "dbt config not supported by cdw"
		}
		return yamlx.UnknownMessage("config key", key, modelConfigKeys)
	}
	if c.Origins == nil {
		c.Origins = make(map[string]yamlx.Pos)
	}
	c.Origins[key] = pos
	return ""
}

// oneOf checks that v is one of the valid strings.
func oneOf(v any, what string, valid []string) (string, string) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Sprintf("expected a %s (%s), got %s", what, strings.Join(valid, ", "), describeAny(v))
	}
	if slices.Contains(valid, s) {
		return s, ""
	}
	return "", strings.Replace(yamlx.UnknownMessage(what, s, valid), "unknown "+what, fmt.Sprintf("unknown %s %q", what, s), 1)
}

// stringOrList accepts a string or a list of non-empty strings.
func stringOrList(v any, expected string) ([]string, string) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil, "expected " + expected + ", got an empty string"
		}
		return []string{x}, ""
	case []any:
		out := make([]string, 0, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok || s == "" {
				return nil, fmt.Sprintf("expected %s, got %s at position %d", expected, describeAny(item), i+1)
			}
			out = append(out, s)
		}
		return out, ""
	case []string:
		return slices.Clone(x), ""
	default:
		return nil, "expected " + expected + ", got " + describeAny(v)
	}
}

// describeAny names a plain Go value the way yamlx.Describe names nodes.
func describeAny(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if x == "" {
			return "an empty string"
		}
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprintf("integer %d", x)
	case float32, float64:
		return fmt.Sprintf("number %v", x)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "a mapping"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// appendUnique appends the items of add to list, skipping those already
// present.
func appendUnique(list []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}
