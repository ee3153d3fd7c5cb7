package config

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

func TestParseModelConfigIncrementalKeys(t *testing.T) {
	pos := yamlx.Pos{File: "models/m.sql", Line: 1, Col: 4}
	three, tr, fa := 3, true, false
	cfg, err := ParseModelConfig(map[string]any{
		"materialized": "incremental", "incremental_strategy": "microbatch",
		"event_time": "read_at", "batch_size": "day", "lookback": 3, "begin": "2024-01-01",
		"on_schema_change": "sync_all_columns", "full_refresh": false, "audit": true,
		"dedupe_by": "loaded_at desc", "unique_key": "id",
		"pre_hook": "select 1", "pre-hook": []any{"select 2"}, "post_hook": []any{"analyze {{ this }}", "select 3"},
	}, pos)
	if err != nil {
		t.Fatal(err)
	}
	want := ModelConfig{
		Materialized: "incremental", IncrementalStrategy: "microbatch", EventTime: "read_at", BatchSize: "day",
		Lookback: &three, Begin: "2024-01-01", OnSchemaChange: "sync_all_columns", FullRefresh: &fa, Audit: &tr,
		DedupeBy: "loaded_at desc", UniqueKey: []string{"id"},
		// keys are applied in sorted order: "pre-hook" sorts before "pre_hook".
		PreHook: []string{"select 2", "select 1"}, PostHook: []string{"analyze {{ this }}", "select 3"},
	}
	got := cfg
	got.Origins = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cfg =\n%+v\nwant\n%+v", got, want)
	}
	if cfg.Origins["pre_hook"] != pos || cfg.Origins["lookback"] != pos {
		t.Errorf("origins = %v", cfg.Origins)
	}
	if !cfg.IsMicrobatch() || !cfg.IsAudited() || cfg.EffectiveLookback() != 3 || cfg.EffectiveOnSchemaChange() != "sync_all_columns" {
		t.Errorf("effective values of %+v", cfg)
	}
	begin, ok := cfg.BeginTime()
	if !ok || !begin.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("BeginTime = %v, %v", begin, ok)
	}
}

func TestParseModelConfigIncrementalKeyErrors(t *testing.T) {
	pos := yamlx.Pos{File: "models/m.sql", Line: 2, Col: 1}
	for _, tc := range []struct {
		key  string
		val  any
		want string
	}{
		{"on_schema_change", "add", `on_schema_change: unknown on_schema_change value "add" (expected one of: ignore, fail, append_new_columns, sync_all_columns)`},
		{"batch_size", "week", `batch_size: unknown batch size "week" (expected one of: hour, day, month, year)`},
		{"batch_size", 1, `batch_size: expected a batch size (hour, day, month, year), got integer 1`},
		{"lookback", -1, `lookback: expected a number of batches (0 or more), got integer -1`},
		{"lookback", "3", `lookback: expected a number of batches (0 or more), got string "3"`},
		{"lookback", 1.5, `lookback: expected a number of batches (0 or more), got number 1.5`},
		{"begin", "yesterday", `begin: "yesterday" is not a date or time (want e.g. 2024-01-31, 2024-01-31 06:00 or 2024-01-31T06:00:00Z)`},
		{"begin", 2024, `begin: expected a date such as '2024-01-01', got integer 2024`},
		{"full_refresh", "no", `full_refresh: expected a boolean, got string "no"`},
		{"audit", 1, `audit: expected a boolean, got integer 1`},
		{"event_time", "", `event_time: expected a column name, got an empty string`},
		{"dedupe_by", []any{"a"}, `dedupe_by: expected an SQL order, e.g. "loaded_at desc", got a list`},
		{"pre_hook", []any{"ok", 3}, `pre_hook: expected an SQL statement or a list of them, got integer 3 at position 2`},
		{"post-hook", "", `post-hook: expected an SQL statement or a list of them, got an empty string`},
		{"concurrent_batches", true, `concurrent_batches: dbt config not supported by cdw`},
	} {
		_, err := ParseModelConfig(map[string]any{tc.key: tc.val}, pos)
		got := diagLines(t, err)
		if want := "models/m.sql:2:1: " + tc.want; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%v:\n got %q\nwant %q", tc.key, tc.val, got, want)
		}
	}
}

func TestModelConfigCheck(t *testing.T) {
	tr := true
	inc := func(c ModelConfig) ModelConfig { c.Materialized = "incremental"; return c }
	for _, tc := range []struct {
		name string
		cfg  ModelConfig
		want []string
	}{
		{"merge without key", inc(ModelConfig{IncrementalStrategy: "merge"}), []string{"incremental_strategy: merge needs a unique_key"}},
		{"delete+insert without key", inc(ModelConfig{IncrementalStrategy: "delete+insert"}), []string{"incremental_strategy: delete+insert needs a unique_key"}},
		{"delete+insert with key", inc(ModelConfig{IncrementalStrategy: "delete+insert", UniqueKey: []string{"k"}}), nil},
		{"microbatch without its keys", inc(ModelConfig{IncrementalStrategy: "microbatch"}), []string{
			"incremental_strategy: microbatch needs event_time (the column that places each row in a batch)",
			"incremental_strategy: microbatch needs batch_size (hour, day, month or year)",
			"incremental_strategy: microbatch needs begin (the start of the first batch, e.g. '2024-01-01')",
		}},
		{"microbatch complete", inc(ModelConfig{IncrementalStrategy: "microbatch", EventTime: "t", BatchSize: "day", Begin: "2024-01-01"}), nil},
		{"microbatch keys on a table are ignored", ModelConfig{Materialized: "table", IncrementalStrategy: "microbatch"}, nil},
		{"dedupe without key", inc(ModelConfig{DedupeBy: "x"}), []string{"dedupe_by: needs a unique_key to dedupe on"}},
		{"audit on a view", ModelConfig{Audit: &tr}, []string{"audit: write-audit-publish needs materialized table or incremental, not view"}},
		{"audit on a table", ModelConfig{Materialized: "table", Audit: &tr}, nil},
		{"audit on incremental", inc(ModelConfig{Audit: &tr}), nil},
	} {
		if got := tc.cfg.Check(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Check() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestModelConfigMergeNewKeys(t *testing.T) {
	one, two, tr, fa := 1, 2, true, false
	folder := ModelConfig{OnSchemaChange: "fail", Lookback: &one, FullRefresh: &fa, PreHook: []string{"f1"}, PostHook: []string{"fp"}, BatchSize: "day"}
	props := ModelConfig{Lookback: &two, PreHook: []string{"p1"}, Audit: &tr}
	call := ModelConfig{OnSchemaChange: "append_new_columns", PreHook: []string{"c1"}, EventTime: "t", Begin: "2024-01-01", DedupeBy: "x desc"}
	got := folder.Merge(props).Merge(call)
	want := ModelConfig{OnSchemaChange: "append_new_columns", Lookback: &two, FullRefresh: &fa, Audit: &tr,
		PreHook: []string{"f1", "p1", "c1"}, PostHook: []string{"fp"}, BatchSize: "day", EventTime: "t", Begin: "2024-01-01", DedupeBy: "x desc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged =\n%+v\nwant\n%+v", got, want)
	}
	*got.Lookback = 9
	got.PreHook[0] = "changed"
	if *props.Lookback != 2 || folder.PreHook[0] != "f1" {
		t.Error("Merge shares memory with its inputs")
	}
	if (ModelConfig{}).EffectiveLookback() != DefaultLookback || (ModelConfig{}).EffectiveOnSchemaChange() != "ignore" {
		t.Error("defaults: lookback 1, on_schema_change ignore")
	}
}

func TestRebuildsOnFullRefresh(t *testing.T) {
	tr, fa := true, false
	for _, tc := range []struct {
		pin       *bool
		flag, out bool
	}{
		{nil, false, false}, {nil, true, true},
		{&fa, true, false}, {&fa, false, false},
		{&tr, false, true}, {&tr, true, true},
	} {
		if got := (ModelConfig{FullRefresh: tc.pin}).RebuildsOnFullRefresh(tc.flag); got != tc.out {
			t.Errorf("full_refresh %v, flag %v: %v, want %v", tc.pin, tc.flag, got, tc.out)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2024-02-29 06:30", time.Date(2024, 2, 29, 6, 30, 0, 0, time.UTC)},
		{"2024-02-29T06:30:15", time.Date(2024, 2, 29, 6, 30, 15, 0, time.UTC)},
		{"2024-03-31T02:00:00+01:00", time.Date(2024, 3, 31, 1, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseTime(tc.in)
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v UTC", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2024-02-30", "31/01/2024", "now"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}

func TestRunHooksInProjectYML(t *testing.T) {
	load := func(extra string) (*Project, error) {
		return Load(fstest.MapFS{"project.yml": {Data: []byte("name: p\n" + extra)}}, LoadOptions{Env: envOf("WHO", "cdw")})
	}
	p, err := load("on-run-start: \"create schema if not exists audit_{{ target.name }}\"\non-run-end:\n  - select 1\n  - \"grant usage on schema {{ target.schema }} to ${WHO}\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Hooks{"create schema if not exists audit_{{ target.name }}"}); !reflect.DeepEqual(p.OnRunStart, want) {
		t.Errorf("on-run-start = %q, want %q", p.OnRunStart, want)
	}
	if want := (Hooks{"select 1", "grant usage on schema {{ target.schema }} to cdw"}); !reflect.DeepEqual(p.OnRunEnd, want) {
		t.Errorf("on-run-end = %q, want %q", p.OnRunEnd, want)
	}
	_, err = load("on-run-start: [select 1, 3, {a: b}]\non-run-end: \"\"\n")
	got := strings.Join(diagLines(t, err), "\n")
	for _, want := range []string{
		"project.yml:2:26: on-run-start[1]: expected an SQL statement, got integer 3",
		"project.yml:2:29: on-run-start[2]: expected an SQL statement, got a mapping",
		"project.yml:3:13: on-run-end: expected an SQL statement, got string \"\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, got)
		}
	}
}

func TestModelConfigValues(t *testing.T) {
	two, fa := 2, false
	c := ModelConfig{Materialized: "incremental", IncrementalStrategy: "microbatch", EventTime: "t", Lookback: &two,
		FullRefresh: &fa, PostHook: []string{"analyze {{ this }}"}, UniqueKey: []string{"k"}}
	want := map[string]any{"materialized": "incremental", "incremental_strategy": "microbatch", "event_time": "t",
		"lookback": 2, "full_refresh": false, "post_hook": []string{"analyze {{ this }}"}, "unique_key": []string{"k"}}
	if got := c.Values(); !reflect.DeepEqual(got, want) {
		t.Errorf("Values() = %v, want %v", got, want)
	}
	if got := (ModelConfig{}).Values(); len(got) != 0 {
		t.Errorf("zero config Values() = %v", got)
	}
}
