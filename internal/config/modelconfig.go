package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

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
	// StrategyDeleteInsert deletes the table's rows whose key is in the
	// delta, then inserts the delta: matched rows are replaced whole.
	StrategyDeleteInsert = "delete+insert"
	// StrategyMicrobatch is the time-window strategy: the model is built
	// one event_time batch at a time, each batch replacing its window,
	// and the processed windows are recorded in cdw's interval state.
	StrategyMicrobatch = "microbatch"
)

// on_schema_change values: what an incremental run does when the model's
// columns no longer match its table's.
const (
	SchemaChangeIgnore  = "ignore"
	SchemaChangeFail    = "fail"
	SchemaChangeAppend  = "append_new_columns"
	SchemaChangeSyncAll = "sync_all_columns"
)

// Batch sizes of the microbatch strategy.
const (
	BatchHour  = "hour"
	BatchDay   = "day"
	BatchMonth = "month"
	BatchYear  = "year"
)

// DefaultLookback is how many complete batches before the run's end a
// microbatch model reprocesses on every run when lookback is unset.
const DefaultLookback = 1

var (
	materializations = []string{MaterializedView, MaterializedTable, MaterializedIncremental, MaterializedEphemeral}
	strategies       = []string{StrategyAppend, StrategyMerge, StrategyDeleteInsert, StrategyMicrobatch}
	schemaChanges    = []string{SchemaChangeIgnore, SchemaChangeFail, SchemaChangeAppend, SchemaChangeSyncAll}
	batchSizes       = []string{BatchHour, BatchDay, BatchMonth, BatchYear}
	// modelConfigKeys are the keys ModelConfig understands, in documentation order.
	modelConfigKeys = []string{"materialized", "schema", "tags", "enabled", "unique_key", "incremental_strategy",
		"on_schema_change", "full_refresh", "dedupe_by", "event_time", "batch_size", "lookback", "begin",
		"pre_hook", "post_hook", "audit", "dist", "sort", "sort_type", "backup"}
	// keyAliases are dbt's other spellings of config keys.
	keyAliases = map[string]string{"pre-hook": "pre_hook", "post-hook": "post_hook"}
)

// dbtOnlyConfigKeys are dbt model configs cdw does not implement; they get a
// clearer message than an unknown key.
var dbtOnlyConfigKeys = map[string]bool{
	"alias": true, "database": true, "meta": true, "docs": true, "persist_docs": true,
	"grants": true, "contract": true, "constraints": true,
	"indexes": true, "bind": true,
	"group": true, "access": true, "sql_header": true, "incremental_predicates": true,
	"merge_update_columns": true, "merge_exclude_columns": true, "concurrent_batches": true,
	"on_configuration_change": true, "quoting": true, "column_types": true, "unlogged": true,
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
	// IncrementalStrategy is append, merge, delete+insert or microbatch
	// ("" = unset).
	IncrementalStrategy string
	// OnSchemaChange is ignore, fail, append_new_columns or
	// sync_all_columns ("" = unset: ignore).
	OnSchemaChange string
	// FullRefresh pins --full-refresh for an incremental model: false
	// protects it (--full-refresh runs it incrementally), true always
	// rebuilds it. nil follows the flag.
	FullRefresh *bool
	// DedupeBy, when set, collapses rows of a delta (and of a full build)
	// that share a unique key to the first row in this SQL order (e.g.
	// "loaded_at desc"); unset, duplicate keys fail the model.
	DedupeBy string
	// EventTime is the column that places a row in time. On a microbatch
	// model it assigns output rows to batches; on any model it lets a
	// microbatch model that refs it read only the batch's window.
	EventTime string
	// BatchSize is the microbatch interval: hour, day, month or year.
	BatchSize string
	// Lookback is how many complete batches before the run's end a
	// microbatch model reprocesses even when they were processed (nil =
	// unset: DefaultLookback).
	Lookback *int
	// Begin is the start of a microbatch model's first batch, as written
	// ("2024-01-01" or an RFC 3339 time); see BeginTime.
	Begin string
	// PreHook and PostHook are SQL statements (Jinja) run before the model
	// is built and after it is published. Like tags they accumulate down
	// the layers, folder hooks first.
	PreHook, PostHook []string
	// Audit turns on write-audit-publish: the model's error-severity tests
	// run on the new table or delta before it is published (nil = unset).
	Audit *bool
	// Dist, Sort, SortType and Backup are physical table options for
	// engines that have them (Redshift: DISTSTYLE/DISTKEY, SORTKEY,
	// BACKUP); other engines ignore them. Dist is auto, even, all or a
	// column; SortType is compound or interleaved.
	Dist     string
	Sort     []string
	SortType string
	Backup   *bool
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
		OnSchemaChange:      pick(over.OnSchemaChange, c.OnSchemaChange),
		DedupeBy:            pick(over.DedupeBy, c.DedupeBy),
		EventTime:           pick(over.EventTime, c.EventTime),
		BatchSize:           pick(over.BatchSize, c.BatchSize),
		Begin:               pick(over.Begin, c.Begin),
		Tags:                appendUnique(slices.Clone(c.Tags), over.Tags...),
		PreHook:             append(slices.Clone(c.PreHook), over.PreHook...),
		PostHook:            append(slices.Clone(c.PostHook), over.PostHook...),
		Enabled:             pickPtr(over.Enabled, c.Enabled),
		FullRefresh:         pickPtr(over.FullRefresh, c.FullRefresh),
		Audit:               pickPtr(over.Audit, c.Audit),
		Dist:                pick(over.Dist, c.Dist),
		SortType:            pick(over.SortType, c.SortType),
		Backup:              pickPtr(over.Backup, c.Backup),
		Sort:                slices.Clone(c.Sort),
		Lookback:            pickPtr(over.Lookback, c.Lookback),
		UniqueKey:           slices.Clone(c.UniqueKey),
	}
	if over.UniqueKey != nil {
		out.UniqueKey = slices.Clone(over.UniqueKey)
	}
	if over.Sort != nil {
		out.Sort = slices.Clone(over.Sort)
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

// EffectiveOnSchemaChange returns on_schema_change, "ignore" when unset.
func (c ModelConfig) EffectiveOnSchemaChange() string {
	return pick(c.OnSchemaChange, SchemaChangeIgnore)
}

// EffectiveLookback returns lookback, DefaultLookback when unset.
func (c ModelConfig) EffectiveLookback() int {
	if c.Lookback == nil {
		return DefaultLookback
	}
	return *c.Lookback
}

// IsMicrobatch reports whether the model is incremental with the
// microbatch (time-window) strategy.
func (c ModelConfig) IsMicrobatch() bool {
	return c.EffectiveMaterialized() == MaterializedIncremental && c.IncrementalStrategy == StrategyMicrobatch
}

// RebuildsOnFullRefresh reports whether an incremental model is rebuilt
// from scratch when the run's --full-refresh flag is flag: full_refresh
// pins it either way; unset, it follows the flag.
func (c ModelConfig) RebuildsOnFullRefresh(flag bool) bool {
	if c.FullRefresh != nil {
		return *c.FullRefresh
	}
	return flag
}

// IsAudited reports whether audit: true (write-audit-publish) is set.
func (c ModelConfig) IsAudited() bool { return c.Audit != nil && *c.Audit }

// BeginTime parses Begin: a date (midnight UTC) or an RFC 3339 time. ok is
// false when Begin is unset or invalid (ParseModelConfig rejects invalid
// values, so a loaded config's Begin is valid when set).
func (c ModelConfig) BeginTime() (t time.Time, ok bool) {
	t, err := ParseTime(c.Begin)
	return t, err == nil && c.Begin != ""
}

// ParseTime parses a point in time as cdw accepts it in config and on
// the command line: "2024-01-31", "2024-01-31 06:00", "2024-01-31
// 06:00:00" (all UTC) or RFC 3339 with an offset. The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date or time (want e.g. 2024-01-31, 2024-01-31 06:00 or 2024-01-31T06:00:00Z)", s)
}

// Check returns the problems of a fully merged config that no single layer
// can see, as messages ("key: message"). It returns nil when there are
// none.
func (c ModelConfig) Check() []string {
	var out []string
	mat := c.EffectiveMaterialized()
	if mat == MaterializedIncremental {
		switch c.IncrementalStrategy {
		case StrategyMerge, StrategyDeleteInsert:
			if len(c.UniqueKey) == 0 {
				out = append(out, "incremental_strategy: "+c.IncrementalStrategy+" needs a unique_key")
			}
		case StrategyMicrobatch:
			for _, k := range []struct{ key, val, hint string }{
				{"event_time", c.EventTime, "the column that places each row in a batch"},
				{"batch_size", c.BatchSize, "hour, day, month or year"},
				{"begin", c.Begin, "the start of the first batch, e.g. '2024-01-01'"},
			} {
				if k.val == "" {
					out = append(out, "incremental_strategy: microbatch needs "+k.key+" ("+k.hint+")")
				}
			}
		}
	}
	if c.DedupeBy != "" && len(c.UniqueKey) == 0 {
		out = append(out, "dedupe_by: needs a unique_key to dedupe on")
	}
	if c.IsAudited() && mat != MaterializedTable && mat != MaterializedIncremental {
		out = append(out, "audit: write-audit-publish needs materialized table or incremental, not "+mat)
	}
	return out
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
func isConfigKey(key string) bool {
	_, alias := keyAliases[key]
	return alias || slices.Contains(modelConfigKeys, key)
}

// set applies one config key to c, returning a problem message or "".
func (c *ModelConfig) set(key string, v any, pos yamlx.Pos) string {
	if canonical, ok := keyAliases[key]; ok {
		key = canonical
	}
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
	case "on_schema_change":
		s, msg := oneOf(v, "on_schema_change value", schemaChanges)
		if msg != "" {
			return msg
		}
		c.OnSchemaChange = s
	case "batch_size":
		s, msg := oneOf(v, "batch size", batchSizes)
		if msg != "" {
			return msg
		}
		c.BatchSize = s
	case "dist":
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return "expected auto, even, all or a column name, got " + describeAny(v)
		}
		c.Dist = s
	case "sort":
		cols, msg := stringOrList(v, "a column name or a list of column names")
		if msg != "" {
			return msg
		}
		c.Sort = cols
	case "sort_type":
		s, msg := oneOf(v, "sort type", []string{"compound", "interleaved"})
		if msg != "" {
			return msg
		}
		c.SortType = s
	case "full_refresh", "audit", "enabled", "backup":
		b, ok := v.(bool)
		if !ok {
			return "expected a boolean, got " + describeAny(v)
		}
		switch key {
		case "full_refresh":
			c.FullRefresh = &b
		case "audit":
			c.Audit = &b
		case "backup":
			c.Backup = &b
		default:
			c.Enabled = &b
		}
	case "dedupe_by", "event_time":
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			what := "an SQL order, e.g. \"loaded_at desc\""
			if key == "event_time" {
				what = "a column name"
			}
			return "expected " + what + ", got " + describeAny(v)
		}
		if key == "event_time" {
			c.EventTime = s
		} else {
			c.DedupeBy = s
		}
	case "lookback":
		n, ok := asInt(v)
		if !ok || n < 0 {
			return "expected a number of batches (0 or more), got " + describeAny(v)
		}
		c.Lookback = &n
	case "begin":
		s, ok := v.(string)
		if !ok {
			return "expected a date such as '2024-01-01', got " + describeAny(v)
		}
		if _, err := ParseTime(s); err != nil {
			return err.Error()
		}
		c.Begin = s
	case "pre_hook", "post_hook":
		hooks, msg := stringOrList(v, "an SQL statement or a list of them")
		if msg != "" {
			return msg
		}
		if key == "pre_hook" {
			c.PreHook = append(c.PreHook, hooks...)
		} else {
			c.PostHook = append(c.PostHook, hooks...)
		}
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

// asInt accepts the integer kinds YAML and the template engine produce.
func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), x == int64(int(x))
	case uint64:
		return int(x), x <= uint64(^uint(0)>>1)
	case float64:
		return int(x), x == float64(int(x))
	}
	return 0, false
}

// pickPtr returns a copy of over's value if set, else of base's, else nil.
func pickPtr[T any](over, base *T) *T {
	p := base
	if over != nil {
		p = over
	}
	if p == nil {
		return nil
	}
	v := *p
	return &v
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

// Hooks are SQL statements (Jinja templates) given in YAML as one string
// or a list of strings: project.yml's on-run-start and on-run-end. An
// empty string or a non-string item is reported at its position.
type Hooks []string

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (h *Hooks) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		*h = nil
		return
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out Hooks
	for i, item := range items {
		at := field
		if n.Kind == yaml.SequenceNode {
			at = yamlx.Elem(field, i)
		}
		item = d.Resolve(item)
		if item == nil {
			continue
		}
		if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!str" || strings.TrimSpace(item.Value) == "" {
			d.TypeError(item, at, "an SQL statement")
			continue
		}
		out = append(out, item.Value)
	}
	*h = out
}

// Values returns the keys set in c under their config names, as plain
// values (string, []string, bool, int), for artifacts such as the
// manifest's node config, so that state:modified sees a change of any of
// them. Unset keys are absent; defaults are not filled in.
func (c ModelConfig) Values() map[string]any {
	out := map[string]any{}
	for k, v := range map[string]string{
		"materialized": c.Materialized, "schema": c.Schema, "incremental_strategy": c.IncrementalStrategy,
		"on_schema_change": c.OnSchemaChange, "dedupe_by": c.DedupeBy, "event_time": c.EventTime,
		"batch_size": c.BatchSize, "begin": c.Begin, "dist": c.Dist, "sort_type": c.SortType,
	} {
		if v != "" {
			out[k] = v
		}
	}
	for k, v := range map[string][]string{"tags": c.Tags, "unique_key": c.UniqueKey, "pre_hook": c.PreHook, "post_hook": c.PostHook, "sort": c.Sort} {
		if v != nil {
			out[k] = slices.Clone(v)
		}
	}
	for k, v := range map[string]*bool{"enabled": c.Enabled, "full_refresh": c.FullRefresh, "audit": c.Audit, "backup": c.Backup} {
		if v != nil {
			out[k] = *v
		}
	}
	if c.Lookback != nil {
		out["lookback"] = *c.Lookback
	}
	return out
}
