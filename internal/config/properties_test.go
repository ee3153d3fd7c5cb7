package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

const sourcesYML = `version: 2
sources:
  - name: raw
    description: Files landed by the extractors.
    tables:
      - name: d0010_readings
        description: D0010 meter readings.
        columns:
          - name: mpan_core
            data_tests: [not_null]
      - name: meters
        identifier: billing_meters
  - name: ref
    schema: reference
    tables:
      - name: calorific_values
`

const modelsYML = `version: 2
models:
  - name: readings
    description: Validated meter readings.
    config: {materialized: table, tags: [core]}
    data_tests:
      - unique_combination:
          columns: [mpan_core, read_at]
    columns:
      - name: mpxn
        description: Meter point.
        data_type: varchar
        tests:
          - not_null
          - unique:
              config: {severity: warn}
          - accepted_values:
              values: [d0010, billing]
              severity: WARN
              where: "read_at > '2024-01-01'"
          - relationships:
              arguments: {to: "ref('meters')", field: mpxn}
              config: {where: "mpxn is not null"}
      - name: reading_id
  - name: meters
`

func TestLoadPropertiesValid(t *testing.T) {
	fsys := fstest.MapFS{
		"models/staging/sources.yml": {Data: []byte(sourcesYML)},
		"models/core/schema.yaml":    {Data: []byte(modelsYML)},
		"models/core/readings.sql":   {Data: []byte("select 1")},
		"models/core/empty.yml":      {Data: []byte("# nothing here yet\n")},
		"models/.hidden/x.yml":       {Data: []byte("not: [valid")},
		"macros/ignored.yml":         {Data: []byte("not: [valid")},
	}
	props, err := LoadProperties(fsys, "models")
	if err != nil {
		t.Fatal(err)
	}
	pos := func(file string, line, col int) yamlx.Pos { return yamlx.Pos{File: file, Line: line, Col: col} }
	const src, mod = "models/staging/sources.yml", "models/core/schema.yaml"
	wantSources := []SourceDecl{
		{Name: "raw", Schema: "raw", Description: "Files landed by the extractors.", Pos: pos(src, 3, 5), Tables: []SourceTableDecl{
			{Name: "d0010_readings", Identifier: "d0010_readings", Description: "D0010 meter readings.", Pos: pos(src, 6, 9),
				Columns: []ColumnDecl{{Name: "mpan_core", Pos: pos(src, 9, 13),
					Tests: []TestDecl{{Name: "not_null", Column: "mpan_core", Args: map[string]any{}, Severity: "error", Pos: pos(src, 10, 26)}}}}},
			{Name: "meters", Identifier: "billing_meters", Pos: pos(src, 11, 9)},
		}},
		{Name: "ref", Schema: "reference", Pos: pos(src, 13, 5), Tables: []SourceTableDecl{
			{Name: "calorific_values", Identifier: "calorific_values", Pos: pos(src, 16, 9)},
		}},
	}
	if !reflect.DeepEqual(props.Sources, wantSources) {
		t.Errorf("sources:\n got %+v\nwant %+v", props.Sources, wantSources)
	}
	if len(props.Models) != 2 {
		t.Fatalf("models = %+v", props.Models)
	}
	readings := props.Models[0]
	if readings.Name != "readings" || readings.Description != "Validated meter readings." || readings.Pos != pos(mod, 3, 5) {
		t.Errorf("readings = %+v", readings)
	}
	if readings.Config.Materialized != "table" || !reflect.DeepEqual(readings.Config.Tags, []string{"core"}) ||
		readings.Config.Origins["materialized"] != pos(mod, 5, 28) {
		t.Errorf("readings config = %+v", readings.Config)
	}
	var names []string
	for _, c := range readings.Columns {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(names, []string{"mpxn", "reading_id"}) || readings.Columns[0].DataType != "varchar" ||
		readings.Columns[0].Description != "Meter point." || readings.Columns[1].Pos != pos(mod, 24, 9) ||
		len(readings.Columns[1].Tests) != 0 {
		t.Errorf("columns = %+v", readings.Columns)
	}
	// Model-level tests stay on the model; column tests on their column;
	// AllTests gives both in declaration order.
	if len(readings.Tests) != 1 || readings.Tests[0].Name != "unique_combination" || len(readings.Columns[0].Tests) != 4 {
		t.Errorf("tests split wrongly: model %+v, column %+v", readings.Tests, readings.Columns[0].Tests)
	}
	wantTests := []TestDecl{
		{Name: "unique_combination", Args: map[string]any{"columns": []any{"mpan_core", "read_at"}}, Severity: "error", Pos: pos(mod, 7, 9)},
		{Name: "not_null", Column: "mpxn", Args: map[string]any{}, Severity: "error", Pos: pos(mod, 14, 13)},
		{Name: "unique", Column: "mpxn", Args: map[string]any{}, Severity: "warn", Pos: pos(mod, 15, 13)},
		{Name: "accepted_values", Column: "mpxn", Args: map[string]any{"values": []any{"d0010", "billing"}}, Severity: "warn",
			Where: "read_at > '2024-01-01'", Pos: pos(mod, 17, 13)},
		{Name: "relationships", Column: "mpxn", Args: map[string]any{"to": "ref('meters')", "field": "mpxn"}, Severity: "error",
			Where: "mpxn is not null", Pos: pos(mod, 21, 13)},
	}
	if got := readings.AllTests(); !reflect.DeepEqual(got, wantTests) {
		t.Errorf("tests:\n got %+v\nwant %+v", got, wantTests)
	}
	if got := props.Sources[0].Tables[0].AllTests(); len(got) != 1 || got[0].Column != "mpan_core" {
		t.Errorf("source table AllTests = %+v", got)
	}
	if m, ok := props.Model("meters"); !ok || m.Pos != pos(mod, 25, 5) {
		t.Errorf("Model(meters) = %+v, %v", m, ok)
	}
	if s, tb, ok := props.SourceTable("raw", "meters"); !ok || s.Name != "raw" || tb.Identifier != "billing_meters" {
		t.Errorf("SourceTable = %+v %+v %v", s, tb, ok)
	}
	if _, _, ok := props.SourceTable("raw", "nope"); ok {
		t.Error("SourceTable found an undeclared table")
	}
}

func TestLoadPropertiesMissingFolder(t *testing.T) {
	props, err := LoadProperties(fstest.MapFS{}, "models")
	if err != nil || len(props.Models)+len(props.Sources) != 0 {
		t.Errorf("props = %+v, err = %v", props, err)
	}
}

func TestLoadPropertiesDiagnostics(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "unsupported version",
			files: map[string]string{"models/a.yml": "version: 1\nmodels: []\n"},
			want:  []string{`models/a.yml:1:10: version: only version 2 is supported, got integer 1`},
		},
		{
			name: "bad severity and unknown test config key",
			files: map[string]string{"models/a.yml": "models:\n  - name: m\n    columns:\n      - name: c\n        tests:\n" +
				"          - unique: {severity: wran}\n          - not_null: {config: {severty: warn}}\n"},
			want: []string{
				`models/a.yml:6:32: models[0].columns[0].tests[0].unique.severity: unknown severity "wran"; did you mean "warn"?`,
				`models/a.yml:7:33: models[0].columns[0].tests[1].not_null.config.severty: unknown key; did you mean "severity"?`,
			},
		},
		{
			name: "model declared twice across files",
			files: map[string]string{
				"models/a.yml":      "models:\n  - name: readings\n",
				"models/core/b.yml": "version: 2\nmodels:\n  - name: meters\n  - name: readings\n",
			},
			want: []string{`models/core/b.yml:4:5: models[1]: model "readings" is already declared at models/a.yml:2:5`},
		},
		{
			name: "duplicate source table and conflicting schema",
			files: map[string]string{
				"models/a.yml": "sources:\n  - name: raw\n    tables:\n      - name: t1\n      - name: t1\n",
				"models/b.yml": "sources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: t2\n",
			},
			want: []string{
				`models/a.yml:5:9: sources[0].tables[1]: table "t1" of source "raw" is already declared at models/a.yml:4:9`,
				`models/b.yml:2:5: sources[0]: source "raw" is declared at models/a.yml:2:5 with schema "raw"; this declaration says "landing"`,
			},
		},
		{
			name:  "duplicate column",
			files: map[string]string{"models/a.yml": "models:\n  - name: m\n    columns:\n      - name: c\n      - name: c\n"},
			want:  []string{`models/a.yml:5:9: models[0].columns[1]: column "c" is already declared at line 4`},
		},
		{
			name:  "both tests and data_tests",
			files: map[string]string{"models/a.yml": "models:\n  - name: m\n    data_tests: [x]\n    tests: [y]\n"},
			want:  []string{`models/a.yml:4:12: models[0].tests: use either tests or data_tests, not both`},
		},
		{
			name: "malformed test entries",
			files: map[string]string{"models/a.yml": "models:\n  - name: m\n    tests:\n      - {unique: {}, not_null: {}}\n" +
				"      - 42\n      - \"not a name\"\n      - accepted_values: [a]\n" +
				"      - relationships: {arguments: {to: x}, field: y}\n"},
			want: []string{
				`models/a.yml:4:9: models[0].tests[0]: a test is a name or a mapping with one key, the test name (got 2 keys)`,
				`models/a.yml:5:9: models[0].tests[1]: expected a test name or a mapping of a test name to its arguments, got integer 42`,
				`models/a.yml:6:9: models[0].tests[2]: "not a name" is not a valid test name`,
				`models/a.yml:7:26: models[0].tests[3].accepted_values: expected a mapping of arguments, got a list`,
				`models/a.yml:8:45: models[0].tests[4].relationships.field: unexpected key beside arguments:; put test arguments under arguments: and config under config:`,
			},
		},
		{
			name: "model config problems",
			files: map[string]string{"models/a.yml": "models:\n  - name: m\n    config:\n      materialized: tabel\n" +
				"      +schema: s\n      meta: {owner: x}\n"},
			want: []string{
				`models/a.yml:4:21: models[0].config.materialized: unknown materialization "tabel"; did you mean "table"?`,
				`models/a.yml:5:7: models[0].config.+schema: drop the '+': it marks config keys only in project.yml folders`,
				`models/a.yml:6:7: models[0].config.meta: dbt config not supported by cdw`,
			},
		},
		{
			name:  "unknown keys and missing names",
			files: map[string]string{"models/a.yml": "models:\n  - descripton: x\nexposures: []\nsources:\n  - tables: [{}]\n"},
			want: []string{
				`models/a.yml:2:5: models[0].descripton: unknown key; did you mean "description"?`,
				`models/a.yml:2:5: models[0]: missing required key "name"`,
				`models/a.yml:3:1: exposures: dbt exposures are not supported by cdw`,
				`models/a.yml:5:5: sources[0]: missing required key "name"`,
				`models/a.yml:5:14: sources[0].tables[0]: missing required key "name"`,
			},
		},
		{
			name: "syntax errors in several files are all reported",
			files: map[string]string{
				"models/a.yml":       "models:\n  - name: [x\n",
				"models/sub/b.yaml":  "models:\n\t- name: y\n",
				"models/sub/ok.yaml": "models:\n  - name: z\n",
			},
			want: []string{
				`models/a.yml:2: invalid YAML: did not find expected ',' or ']'`,
				`models/sub/b.yaml:2: invalid YAML: found character that cannot start any token`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			props, err := LoadProperties(fsys, "models")
			if err == nil {
				t.Fatalf("LoadProperties succeeded (%+v), want diagnostics", props)
			}
			if got := diagLines(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// propertiesTree builds a properties tree of n models spread over files of
// 100 models each, every model with a config, two columns and tests.
func propertiesTree(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			b.Reset()
			b.WriteString("version: 2\nmodels:\n")
		}
		fmt.Fprintf(&b, `  - name: model_%05d
    description: Model number %d.
    config: {materialized: table, tags: [bench]}
    columns:
      - name: id
        data_tests:
          - not_null
          - unique: {config: {severity: warn}}
      - name: kind
        tests:
          - accepted_values:
              arguments: {values: [a, b, c]}
`, i, i)
		if i%100 == 99 || i == n-1 {
			fsys[fmt.Sprintf("models/group_%03d/schema.yml", i/100)] = &fstest.MapFile{Data: []byte(b.String())}
		}
	}
	return fsys
}

func TestPropertiesTree(t *testing.T) {
	props, err := LoadProperties(propertiesTree(250), "models")
	if err != nil {
		t.Fatal(err)
	}
	if len(props.Models) != 250 || len(props.Models[249].AllTests()) != 3 || props.Models[249].Name != "model_00249" {
		t.Errorf("got %d models; last = %+v", len(props.Models), props.Models[len(props.Models)-1])
	}
}

func BenchmarkLoadProperties5000Models(b *testing.B) {
	fsys := propertiesTree(5000)
	b.ResetTimer()
	for b.Loop() {
		props, err := LoadProperties(fsys, "models")
		if err != nil || len(props.Models) != 5000 {
			b.Fatalf("%d models, %v", len(props.Models), err)
		}
	}
}

func TestLoadPropertiesModelsAtRoot(t *testing.T) {
	fsys := fstest.MapFS{
		"project.yml": {Data: []byte("name: p\npaths: {models: .}\n")},
		"schema.yml":  {Data: []byte("version: \"2\"\nmodels:\n  - name: m\n")},
	}
	props, err := LoadProperties(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(props.Models) != 1 || props.Models[0].Pos.File != "schema.yml" {
		t.Errorf("models = %+v", props.Models)
	}
}
