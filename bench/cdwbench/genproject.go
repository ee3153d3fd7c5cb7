package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// projectSpec describes a generated project: Models models in folders of
// 100, the first BaseModels of them tables reading generate_series, every
// other one joining one to three earlier models (chosen deterministically
// among the previous Window; measures are kept modulo 1000, as sums along a
// chain of joins would otherwise overflow an integer); odd models are views
// and even ones tables. A
// view reads only tables, so no query stacks views on views (which
// PostgreSQL would expand into ever larger plans: a chain of views over
// three parents each grows exponentially).
type projectSpec struct {
	Name       string
	Models     int
	BaseModels int
	Window     int
	Rows       int  // rows of every base model
	Tests      bool // not_null on every model's id, unique on every second
	PGURL      string
	Schema     string
}

// model describes model i (1-based) of a spec.
type model struct {
	Name    string
	Folder  string
	Table   bool
	Parents []string // empty for a base model
}

func (s projectSpec) model(i int) model {
	m := model{Name: modelName(i), Folder: fmt.Sprintf("g%03d", (i-1)/100), Table: s.isTable(i)}
	if i <= s.BaseModels {
		return m
	}
	var pool []int // candidate parents
	for j := max(1, i-s.Window); j < i; j++ {
		if m.Table || s.isTable(j) {
			pool = append(pool, j)
		}
	}
	x := uint64(i) * 0x9E3779B97F4A7C15
	k := min(1+i%3, len(pool))
	seen := map[int]bool{}
	for len(m.Parents) < k {
		x ^= x >> 29
		x *= 0xBF58476D1CE4E5B9
		j := pool[x%uint64(len(pool))]
		if !seen[j] {
			seen[j] = true
			m.Parents = append(m.Parents, modelName(j))
		}
	}
	return m
}

// isTable reports whether model i is materialized as a table.
func (s projectSpec) isTable(i int) bool { return i%2 == 0 || i <= s.BaseModels }

func modelName(i int) string { return fmt.Sprintf("m%05d", i) }

// writeCDWProject writes the spec as a cdw project: project.yml, a macro,
// models with a Jinja loop, a macro call, refs and a var, and properties
// YAML with tests.
func writeCDWProject(dir string, s projectSpec) error {
	files := map[string]string{
		"project.yml": fmt.Sprintf(`name: %s
vars:
  bench_rows: %d
target: pg
targets:
  pg: {type: postgres, url: %q, schema: %s, threads: 4}
`, s.Name, s.Rows, s.PGURL, s.Schema),
		"macros/bench.sql": `{% macro bench_mix(x, y) -%}
(({{ x }}) * 31 + coalesce({{ y }}, 0)) % 1000
{%- endmacro %}
`,
	}
	yml := map[string]*strings.Builder{}
	for i := 1; i <= s.Models; i++ {
		m := s.model(i)
		files[filepath.Join("models", m.Folder, m.Name+".sql")] = cdwModelSQL(m)
		if !s.Tests {
			continue
		}
		b := yml[m.Folder]
		if b == nil {
			b = &strings.Builder{}
			b.WriteString("version: 2\n\nmodels:\n")
			yml[m.Folder] = b
		}
		tests := "[not_null]"
		if i%2 == 0 {
			tests = "[not_null, unique]"
		}
		fmt.Fprintf(b, "  - name: %s\n    description: generated model %d\n    columns:\n      - name: id\n        data_tests: %s\n", m.Name, i, tests)
	}
	for folder, b := range yml {
		files[filepath.Join("models", folder, "schema.yml")] = b.String()
	}
	return writeFiles(dir, files)
}

func cdwModelSQL(m model) string {
	var b strings.Builder
	mat := "view"
	if m.Table {
		mat = "table"
	}
	fmt.Fprintf(&b, "{{ config(materialized='%s') }}\n", mat)
	if len(m.Parents) == 0 {
		fmt.Fprintf(&b, "-- generated base model %s\nselect g as id, g %% 7 as mix, g %% 11 as a, g %% 13 as b, g %% 17 as c\nfrom generate_series(1, {{ var('bench_rows') }}) as t(g)\n", m.Name)
		return b.String()
	}
	fmt.Fprintf(&b, "{%%- set measures = ['a', 'b', 'c'] %%}\n-- generated model %s\nselect\n    p1.id,\n    {{ bench_mix('p1.a', 'p2.b') }} as mix,\n", m.Name)
	b.WriteString("{%- for m in measures %}\n    (p1.{{ m }} + coalesce(p2.{{ m }}, 0)) % 1000 as {{ m }}{{ ',' if not loop.last }}\n{%- endfor %}\n")
	fmt.Fprintf(&b, "from {{ ref('%s') }} as p1\n", m.Parents[0])
	second := m.Parents[0]
	if len(m.Parents) > 1 {
		second = m.Parents[1]
	}
	fmt.Fprintf(&b, "left join {{ ref('%s') }} as p2 on p2.id = p1.id\n", second)
	for k, p := range m.Parents[min(2, len(m.Parents)):] {
		fmt.Fprintf(&b, "left join {{ ref('%s') }} as p%d on p%d.id = p1.id\n", p, k+3, k+3)
	}
	return b.String()
}

// writeDataformProject writes the same spec as a Dataform 1.x project:
// the loop is JavaScript, the macro an include, tests are assertions.
func writeDataformProject(dir string, s projectSpec, schema string) error {
	files := map[string]string{
		"dataform.json": fmt.Sprintf(`{"warehouse": "postgres", "defaultSchema": %q, "assertionSchema": %q}
`, schema, schema+"_assertions"),
		"package.json": `{"name": "bench", "private": true, "dependencies": {"@dataform/core": "1.20.2"}}
`,
		"includes/bench.js": "function mix(x, y) {\n  return `((${x}) * 31 + coalesce(${y}, 0)) % 1000`;\n}\nmodule.exports = { mix };\n",
	}
	for i := 1; i <= s.Models; i++ {
		m := s.model(i)
		files[filepath.Join("definitions", m.Folder, m.Name+".sqlx")] = dataformModelSQL(m, s, i)
	}
	return writeFiles(dir, files)
}

func dataformModelSQL(m model, s projectSpec, i int) string {
	var b strings.Builder
	typ := "view"
	if m.Table {
		typ = "table"
	}
	assertions := ""
	if s.Tests {
		assertions = `, assertions: { nonNull: ["id"] }`
		if i%2 == 0 {
			assertions = `, assertions: { nonNull: ["id"], uniqueKey: ["id"] }`
		}
	}
	fmt.Fprintf(&b, "config { type: %q, description: \"generated model %d\"%s }\n", typ, i, assertions)
	if len(m.Parents) == 0 {
		fmt.Fprintf(&b, "-- generated base model %s\nselect g as id, g %% 7 as mix, g %% 11 as a, g %% 13 as b, g %% 17 as c\nfrom generate_series(1, %d) as t(g)\n", m.Name, s.Rows)
		return b.String()
	}
	b.WriteString("js {\n  const measures = [\"a\", \"b\", \"c\"];\n}\n")
	fmt.Fprintf(&b, "-- generated model %s\nselect\n    p1.id,\n    ${bench.mix(\"p1.a\", \"p2.b\")} as mix,\n", m.Name)
	b.WriteString("    ${measures.map(m => `(p1.${m} + coalesce(p2.${m}, 0)) % 1000 as ${m}`).join(\",\\n    \")}\n")
	fmt.Fprintf(&b, "from ${ref(%q)} as p1\n", m.Parents[0])
	second := m.Parents[0]
	if len(m.Parents) > 1 {
		second = m.Parents[1]
	}
	fmt.Fprintf(&b, "left join ${ref(%q)} as p2 on p2.id = p1.id\n", second)
	for k, p := range m.Parents[min(2, len(m.Parents)):] {
		fmt.Fprintf(&b, "left join ${ref(%q)} as p%d on p%d.id = p1.id\n", p, k+3, k+3)
	}
	return b.String()
}

// writeFiles writes every file under dir, creating folders.
func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
