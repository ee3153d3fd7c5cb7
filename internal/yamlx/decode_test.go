package yamlx

import (
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type testTarget struct {
	Type    string  `yaml:"type" yamlx:"required"`
	Threads int     `yaml:"threads"`
	Ratio   float64 `yaml:"ratio"`
	Enabled *bool   `yaml:"enabled"`
	Tags    []string
	Pos     Pos
}

type testDoc struct {
	Name    string                `yaml:"name" yamlx:"required"`
	Debug   bool                  `yaml:"debug"`
	Targets map[string]testTarget `yaml:"targets"`
	Vars    map[string]any        `yaml:"vars"`
	Extra   any                   `yaml:"extra"`
	Raw     *yaml.Node            `yaml:"raw"`
	Small   int8                  `yaml:"small"`
	Count   uint                  `yaml:"count"`
	Skipped string                `yaml:"-"`
	Custom  upper                 `yaml:"custom"`
}

// upper is a custom Unmarshaler: it upper-cases a string and rejects "bad".
type upper string

func (u *upper) UnmarshalYAMLX(d *Decoder, n *yaml.Node, field string) {
	if n.Kind != yaml.ScalarNode {
		d.TypeError(n, field, "a string")
		return
	}
	if n.Value == "bad" {
		d.Report(n, field, "bad value")
		return
	}
	*u = upper(strings.ToUpper(n.Value))
}

func TestUnmarshalValid(t *testing.T) {
	src := `name: demo
debug: true
small: -12
count: 7
custom: abc
targets:
  local: &base
    type: duckdb
    threads: 4
    ratio: 2
    enabled: false
    tags: [a, b]
  dev:
    <<: *base
    type: postgres
vars:
  limit: 100000
  when: 2024-01-01
  list: [1, 2.5, x, null, true]
  nested: {a: {b: c}}
extra: [1, {k: v}]
raw: {keep: me}
`
	var doc testDoc
	if diags := Unmarshal("p.yml", []byte(src), &doc); diags != nil {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	f := false
	wantLocal := testTarget{Type: "duckdb", Threads: 4, Ratio: 2, Enabled: &f, Tags: []string{"a", "b"},
		Pos: Pos{File: "p.yml", Line: 7, Col: 10}} // an anchored mapping starts at its anchor
	if !reflect.DeepEqual(doc.Targets["local"], wantLocal) {
		t.Errorf("local = %+v, want %+v", doc.Targets["local"], wantLocal)
	}
	dev := doc.Targets["dev"]
	if dev.Type != "postgres" || dev.Threads != 4 || !reflect.DeepEqual(dev.Tags, []string{"a", "b"}) {
		t.Errorf("dev (merged) = %+v", dev)
	}
	if doc.Name != "demo" || !doc.Debug || doc.Small != -12 || doc.Count != 7 || doc.Custom != "ABC" {
		t.Errorf("scalars = %+v", doc)
	}
	wantVars := map[string]any{
		"limit":  100000,
		"when":   "2024-01-01",
		"list":   []any{1, 2.5, "x", nil, true},
		"nested": map[string]any{"a": map[string]any{"b": "c"}},
	}
	if !reflect.DeepEqual(doc.Vars, wantVars) {
		t.Errorf("vars = %#v, want %#v", doc.Vars, wantVars)
	}
	if !reflect.DeepEqual(doc.Extra, []any{1, map[string]any{"k": "v"}}) {
		t.Errorf("extra = %#v", doc.Extra)
	}
	if doc.Raw == nil || doc.Raw.Kind != yaml.MappingNode || doc.Raw.Line != 22 {
		t.Errorf("raw node = %+v", doc.Raw)
	}
}

func TestUnmarshalDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "wrong scalar type",
			src:  "name: x\ntargets:\n  local:\n    type: duckdb\n    threads: four\n",
			want: []string{`p.yml:5:14: targets.local.threads: expected an integer, got string "four"`},
		},
		{
			name: "unknown key with suggestion",
			src:  "name: x\ntargets:\n  local:\n    type: duckdb\n    treads: 4\n",
			want: []string{`p.yml:5:5: targets.local.treads: unknown key; did you mean "threads"?`},
		},
		{
			name: "unknown key without suggestion lists keys",
			src:  "name: x\nwhatever: 1\n",
			want: []string{`p.yml:2:1: whatever: unknown key (expected one of: name, debug, targets, vars, extra, raw, small, count, custom)`},
		},
		{
			name: "duplicate key",
			src:  "name: x\ndebug: true\nname: y\n",
			want: []string{`p.yml:3:1: name: duplicate key, first set at line 1`},
		},
		{
			name: "missing required key at root and nested",
			src:  "targets:\n  local:\n    threads: 2\n  dev:\n",
			want: []string{
				`p.yml:1:1: missing required key "name"`,
				`p.yml:3:5: targets.local: missing required key "type"`,
				`p.yml:4:7: targets.dev: missing required key "type"`,
			},
		},
		{
			name: "required key set to null",
			src:  "name:\n",
			want: []string{`p.yml:1:6: name: expected a string, got null`},
		},
		{
			name: "boolean strictness",
			src:  "name: x\ndebug: yes\n",
			want: []string{`p.yml:2:8: debug: expected a boolean, got string "yes"`},
		},
		{
			name: "list where mapping expected and mapping where string expected",
			src:  "name: {a: b}\ntargets: [a]\n",
			want: []string{
				`p.yml:1:7: name: expected a string, got a mapping`,
				`p.yml:2:10: targets: expected a mapping, got a list`,
			},
		},
		{
			name: "integer out of range and negative unsigned",
			src:  "name: x\nsmall: 300\ncount: -1\n",
			want: []string{
				`p.yml:2:8: small: integer 300 is out of range`,
				`p.yml:3:8: count: integer -1 is out of range`,
			},
		},
		{
			name: "float where integer expected, string in list",
			src:  "name: x\ntargets:\n  l: {type: t, threads: 1.5, ratio: fast, tags: [a, [b]]}\n",
			want: []string{
				`p.yml:3:25: targets.l.threads: expected an integer, got number 1.5`,
				`p.yml:3:37: targets.l.ratio: expected a number, got string "fast"`,
				`p.yml:3:53: targets.l.tags[1]: expected a string, got a list`,
			},
		},
		{
			name: "custom unmarshaler reports",
			src:  "name: x\ncustom: bad\n",
			want: []string{`p.yml:2:9: custom: bad value`},
		},
		{
			name: "syntax error has the line",
			src:  "name: x\ntargets:\n  local: [a\n",
			want: []string{`p.yml:3: invalid YAML: did not find expected ',' or ']'`},
		},
		{
			name: "tab indentation",
			src:  "name: x\n\tdebug: true\n",
			want: []string{`p.yml:2: invalid YAML: found a tab character that violates indentation`},
		},
		{
			name: "bad indentation reports the enclosing mapping's line",
			src:  "name: x\ntargets:\n  local:\n    type: duckdb\n   threads: 4\n",
			want: []string{`p.yml:3: invalid YAML: did not find expected key`},
		},
		{
			name: "parser error on a later line",
			src:  "name: x\n\n\nraw: }\n",
			want: []string{`p.yml:4: invalid YAML: did not find expected node content`},
		},
		{
			name: "scanner error on the first line",
			src:  "name: b: c\n",
			want: []string{`p.yml:1: invalid YAML: mapping values are not allowed in this context`},
		},
		{
			name: "unknown anchor is located",
			src:  "name: x\nvars:\n  k: *nope\n",
			want: []string{`p.yml:3:6: invalid YAML: unknown anchor 'nope' referenced`},
		},
		{
			name: "control character is located",
			src:  "name: x\nvars: {k: \"a\x01\"}\n",
			want: []string{`p.yml:2:13: invalid YAML: control characters are not allowed`},
		},
		{
			name: "invalid UTF-8 is located",
			src:  "name: x\nvars: {k: \xff}\n",
			want: []string{`p.yml:2:11: invalid YAML: invalid leading UTF-8 octet`},
		},
		{
			name: "two documents",
			src:  "name: x\n---\nname: y\n",
			want: []string{`p.yml:2:1: more than one YAML document in the file; only one is allowed`},
		},
		{
			name: "merge of a scalar",
			src:  "name: x\ntargets:\n  l:\n    <<: 3\n    type: t\n",
			want: []string{`p.yml:4:9: targets.l.<<: expected a mapping or a list of mappings to merge, got integer 3`},
		},
		{
			name: "self-referencing alias",
			src:  "name: x\nvars: &v\n  self: *v\n",
			want: []string{`p.yml:3:9: alias *v refers to a value that contains it`},
		},
		{
			name: "non-scalar key",
			src:  "name: x\nvars:\n  ? [a]\n  : b\n",
			want: []string{`p.yml:3:5: vars: expected a string key, got a list`},
		},
		{
			name: "hyphen instead of underscore is suggested",
			src:  "name: x\ntargets:\n  l: {type-: t}\n",
			want: []string{
				`p.yml:3:6: targets.l: missing required key "type"`,
				`p.yml:3:7: targets.l.type-: unknown key; did you mean "type"?`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc testDoc
			diags := Unmarshal("p.yml", []byte(tt.src), &doc)
			got := []string{}
			if err := diags.Err(); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestUnmarshalCollectsEverything(t *testing.T) {
	src := "debug: 1\ntargets:\n  a: {threads: x}\n  b: {type: t, typo: 1}\nname: n\nname: m\n"
	var doc testDoc
	diags := Unmarshal("p.yml", []byte(src), &doc)
	want := `p.yml:1:8: debug: expected a boolean, got integer 1
p.yml:3:6: targets.a: missing required key "type"
p.yml:3:16: targets.a.threads: expected an integer, got string "x"
p.yml:4:16: targets.b.typo: unknown key; did you mean "type"?
p.yml:6:1: name: duplicate key, first set at line 5`
	if diags.Error() != want {
		t.Errorf("got:\n%s\nwant:\n%s", diags.Error(), want)
	}
	if doc.Name != "n" {
		t.Errorf("first duplicate should win, got name %q", doc.Name)
	}
	if doc.Targets["b"].Type != "t" {
		t.Errorf("decoding should continue after errors, got %+v", doc.Targets)
	}
}

func TestEmptyAndNullDocuments(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "---\n"} {
		root, diags := Parse("p.yml", []byte(src))
		if root != nil || diags != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", src, root, diags)
		}
	}
}

func TestSetHint(t *testing.T) {
	root, diags := Parse("p.yml", []byte("name: x\nmodel-paths: [m]\n"))
	if diags != nil {
		t.Fatal(diags)
	}
	d := NewDecoder("p.yml")
	d.SetHint("model-paths", "not a cdw key; set paths.models instead")
	var doc testDoc
	d.Decode(root, "", &doc)
	want := "p.yml:2:1: model-paths: not a cdw key; set paths.models instead"
	if got := d.Diagnostics().Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBillionLaughsIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a")
		b.WriteByte(byte('0' + i))
		b.WriteString(": &a")
		b.WriteByte(byte('0' + i))
		b.WriteString(" [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteByte(byte('0' + i - 1))
		}
		b.WriteString("]\n")
	}
	var out map[string]any
	diags := Unmarshal("p.yml", []byte(b.String()), &out)
	if len(diags) != 1 || !strings.Contains(diags[0].Msg, "too many alias expansions") {
		t.Fatalf("want one alias-expansion diagnostic, got %v", diags)
	}
}

func TestDiagnosticFormatting(t *testing.T) {
	ds := Diagnostics{
		{Path: "b.yml", Line: 1, Col: 1, Msg: "b"},
		{Path: "a.yml", Line: 10, Col: 2, Msg: "later line"},
		{Path: "a.yml", Line: 2, Col: 5, Msg: "later col"},
		{Path: "a.yml", Line: 2, Col: 1, Msg: "first"},
		{Path: "a.yml", Line: 3, Msg: "no col"},
		{Path: "a.yml", Msg: "no line"},
	}
	want := "a.yml: no line\na.yml:2:1: first\na.yml:2:5: later col\na.yml:3: no col\na.yml:10:2: later line\nb.yml:1:1: b"
	if got := ds.Error(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if ds[0].Path != "b.yml" {
		t.Error("Error must not reorder the receiver")
	}
	if Diagnostics(nil).Err() != nil {
		t.Error("empty Diagnostics must give a nil error")
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"materialized", "schema", "tags", "enabled", "unique_key", "table", "view"}
	tests := []struct{ word, want string }{
		{"materialised", "materialized"},
		{"tabel", "table"},
		{"shcema", "schema"},
		{"unique-key", "unique_key"},
		{"TAGS", "tags"},
		{"vew", "view"},
		{"xyz", ""},
		{"tag", "tags"},
		{"completely_different", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, cands); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
