package config

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestFreshnessDecl(t *testing.T) {
	fsys := fstest.MapFS{"models/sources.yml": {Data: []byte(`version: 2
sources:
  - name: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 12, period: hour}
      error_after: {count: 2, period: day}
    tables:
      - name: readings
      - name: meters
        loaded_at_field: fetched_at
        freshness:
          error_after: {count: 30, period: minute}
          filter: "fetched_at > now() - interval '7 days'"
      - name: calendar
        freshness: null
  - name: ref
    tables:
      - name: codes
`)}}
	props, err := LoadProperties(fsys, "models")
	if err != nil {
		t.Fatal(err)
	}
	raw, ref := props.Sources[0], props.Sources[1]
	cases := []struct {
		table      SourceTableDecl
		src        SourceDecl
		field      string
		warn, fail time.Duration
		filter     string
		ok         bool
	}{
		{raw.Tables[0], raw, "loaded_at", 12 * time.Hour, 48 * time.Hour, "", true},
		{raw.Tables[1], raw, "fetched_at", 0, 30 * time.Minute, "fetched_at > now() - interval '7 days'", true},
		{raw.Tables[2], raw, "loaded_at", 0, 0, "", false},
		{ref.Tables[0], ref, "", 0, 0, "", false},
	}
	for _, c := range cases {
		field, f, ok := Freshness(c.src, c.table)
		if ok != c.ok || field != c.field {
			t.Errorf("%s: field %q ok %v, want %q %v", c.table.Name, field, ok, c.field, c.ok)
			continue
		}
		if !ok {
			continue
		}
		var warn, fail time.Duration
		if f.WarnAfter != nil {
			warn = f.WarnAfter.Duration()
		}
		if f.ErrorAfter != nil {
			fail = f.ErrorAfter.Duration()
		}
		if warn != c.warn || fail != c.fail || f.Filter != c.filter {
			t.Errorf("%s: warn %v error %v filter %q", c.table.Name, warn, fail, f.Filter)
		}
	}
	if got := (FreshnessPeriod{Count: 1, Period: "day"}).String() + ", " + (FreshnessPeriod{Count: 6, Period: "hour"}).String(); got != "1 day, 6 hours" {
		t.Errorf("String() = %q", got)
	}
}

func TestResourcePropertyErrors(t *testing.T) {
	cases := []struct {
		name, yml, want string
	}{
		{"freshness without thresholds", "sources:\n  - name: raw\n    freshness: {filter: x}\n",
			"models/p.yml:3:16: sources[0].freshness: set warn_after and/or error_after"},
		{"freshness with a bad period", "sources:\n  - name: raw\n    freshness:\n      warn_after: {count: 1, period: week}\n",
			`models/p.yml:4:19: sources[0].freshness.warn_after.period: unknown period "week"`},
		{"freshness with a zero count", "sources:\n  - name: raw\n    freshness:\n      warn_after: {count: 0, period: day}\n",
			"models/p.yml:4:19: sources[0].freshness.warn_after.count: must be a positive whole number"},
		{"seed declared twice", "seeds:\n  - name: a\n  - name: a\n",
			`models/p.yml:3:5: seeds[1]: seed "a" is already declared at models/p.yml:2:5`},
		{"seed delimiter too long", "seeds:\n  - name: a\n    config: {delimiter: '||'}\n",
			`models/p.yml:3:13: seeds[0].config.delimiter: must be one character other than a quote or a line break, got "||"`},
		{"unknown seed config key", "seeds:\n  - name: a\n    config: {persist_docs: true}\n",
			`models/p.yml:3:14: seeds[0].config.persist_docs: unknown key`},
		{"snapshot check without columns", "snapshots:\n  - name: h\n    relation: ref('m')\n    config: {strategy: check, unique_key: id}\n",
			"models/p.yml:4:13: snapshots[0].config: strategy check needs check_cols: a list of columns, or all"},
		{"snapshot without relation", "snapshots:\n  - name: h\n    config: {strategy: check, unique_key: id, check_cols: all}\n",
			`models/p.yml:2:5: snapshots[0]: missing required key "relation"`},
		{"unit test twice", "unit_tests:\n  - {name: u, model: m, expect: {rows: []}}\n  - {name: u, model: n, expect: {rows: []}}\n",
			`models/p.yml:3:5: unit test "u" is already declared at models/p.yml:2:5`},
		{"unit test rows not a list", "unit_tests:\n  - name: u\n    model: m\n    expect: {rows: {a: 1}}\n",
			"models/p.yml:4:20: unit_tests[0].expect.rows: expected a list of rows, each a mapping of column to value, got a mapping"},
		{"unit test csv rows not text", "unit_tests:\n  - name: u\n    model: m\n    expect: {format: csv, rows: [a]}\n",
			"models/p.yml:4:33: unit_tests[0].expect.rows: expected a string of csv"},
		{"unit test overriding another macro", "unit_tests:\n  - name: u\n    model: m\n    overrides: {macros: {register_key: x}}\n    expect: {rows: []}\n",
			`unit_tests[0].overrides.macros: macro "register_key" cannot be overridden; cdw unit tests override is_incremental only`},
		{"unit test without expect", "unit_tests:\n  - name: u\n    model: m\n",
			`models/p.yml:2:5: unit_tests[0]: missing required key "expect"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadProperties(fstest.MapFS{"models/p.yml": {Data: []byte(c.yml)}}, "models")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err =\n%v\nwant it to contain\n%s", err, c.want)
			}
		})
	}
}

// TestPropertiesFromSeedAndSnapshotFolders: YAML beside seeds and
// snapshots is read too, once even when a folder is inside another.
func TestPropertiesFromSeedAndSnapshotFolders(t *testing.T) {
	fsys := fstest.MapFS{
		"models/m.yml":    {Data: []byte("models:\n  - name: m\n")},
		"seeds/s.yml":     {Data: []byte("seeds:\n  - name: codes\n")},
		"snapshots/h.yml": {Data: []byte("snapshots:\n  - name: h\n    relation: ref('m')\n    config: {strategy: check, unique_key: id, check_cols: [a]}\n")},
	}
	props, err := LoadProperties(fsys, "models", DefaultSeedsPath, DefaultSnapshotsPath, "models")
	if err != nil {
		t.Fatal(err)
	}
	if len(props.Models) != 1 || len(props.Seeds) != 1 || len(props.Snapshots) != 1 || props.Snapshots[0].Relation != "ref('m')" {
		t.Errorf("props = %+v", props)
	}
}
