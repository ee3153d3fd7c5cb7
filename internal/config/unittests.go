package config

import (
	"fmt"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Formats of unit-test rows.
const (
	RowsDict = "dict"
	RowsCSV  = "csv"
	RowsSQL  = "sql"
)

var rowFormats = []string{RowsDict, RowsCSV, RowsSQL}

// UnitTestDecl is one `unit_tests:` entry (dbt 1.8's shape): the model
// under test, fixed rows for its inputs and the rows it must return.
type UnitTestDecl struct {
	Name        string
	Model       string
	Description string
	Given       []UnitTestInput
	Expect      UnitTestRows
	// Vars and EnvVars override project vars and environment variables
	// while the model renders.
	Vars    map[string]any
	EnvVars map[string]string
	// IsIncremental, when set, overrides is_incremental() for the model.
	IsIncremental *bool
	Tags          []string
	Enabled       *bool
	Pos           yamlx.Pos
}

// UnitTestInput is one `given:` entry.
type UnitTestInput struct {
	// Input is what the rows stand for, as written: "ref('x')",
	// "source('a', 'b')" or "this" (resolved by the caller).
	Input string
	UnitTestRows
}

// UnitTestRows are rows in one of three formats. For dict, Columns are
// the keys in first-seen order and Rows hold a value per column (nil for
// a key a row leaves out, or a null); values are as YAML types them:
// string, int, float64, bool, nil, and time.Time for an unquoted date or
// timestamp (2024-01-31, 2024-01-31 10:00:00; quoted, it is a string),
// always in UTC. For csv and
// sql, Text is the inline text or, with Fixture set, empty (the caller
// reads the fixture file).
type UnitTestRows struct {
	Format  string
	Columns []string
	Rows    [][]any
	Text    string
	Fixture string
	Pos     yamlx.Pos
}

type unitTestFile struct {
	Name        string         `yaml:"name" yamlx:"required"`
	Model       string         `yaml:"model" yamlx:"required"`
	Description string         `yaml:"description"`
	Given       []givenFile    `yaml:"given"`
	Expect      rowsFile       `yaml:"expect" yamlx:"required"`
	Overrides   overridesFile  `yaml:"overrides"`
	Config      unitConfigFile `yaml:"config"`
	Pos         yamlx.Pos
}

type givenFile struct {
	Input    string `yaml:"input" yamlx:"required"`
	rowsFile `yaml:",inline"`
}

type rowsFile struct {
	Format  string    `yaml:"format"`
	Rows    yaml.Node `yaml:"rows"`
	Fixture string    `yaml:"fixture"`
	Pos     yamlx.Pos
}

type overridesFile struct {
	Macros  map[string]any    `yaml:"macros"`
	Vars    map[string]any    `yaml:"vars"`
	EnvVars map[string]string `yaml:"env_vars"`
	Pos     yamlx.Pos
}

type unitConfigFile struct {
	Tags    stringList `yaml:"tags"`
	Enabled *bool      `yaml:"enabled"`
}

// unitTestDecl validates one `unit_tests:` entry of a file being decoded.
func unitTestDecl(d *yamlx.Decoder, field string, u unitTestFile) UnitTestDecl {
	decl := UnitTestDecl{Name: u.Name, Model: u.Model, Description: u.Description,
		Vars: u.Overrides.Vars, EnvVars: u.Overrides.EnvVars, Tags: u.Config.Tags.list, Enabled: u.Config.Enabled, Pos: u.Pos}
	for i, g := range u.Given {
		gf := yamlx.Elem(yamlx.Field(field, "given"), i)
		decl.Given = append(decl.Given, UnitTestInput{Input: g.Input, UnitTestRows: decodeRows(d, gf, g.rowsFile)})
	}
	decl.Expect = decodeRows(d, yamlx.Field(field, "expect"), u.Expect)
	for k, v := range u.Overrides.Macros {
		mf := yamlx.Field(yamlx.Field(field, "overrides"), "macros")
		if k != "is_incremental" {
			d.Report(&yaml.Node{Line: u.Overrides.Pos.Line, Column: u.Overrides.Pos.Col}, mf,
				fmt.Sprintf("macro %q cannot be overridden; cdw unit tests override is_incremental only", k))
			continue
		}
		b, ok := v.(bool)
		if !ok {
			d.Report(&yaml.Node{Line: u.Overrides.Pos.Line, Column: u.Overrides.Pos.Col}, yamlx.Field(mf, k),
				fmt.Sprintf("expected true or false, got %v", v))
			continue
		}
		decl.IsIncremental = &b
	}
	return decl
}

// decodeRows checks a rows block: its format, and that rows (or a
// fixture, for csv and sql) are given in the shape of that format.
func decodeRows(d *yamlx.Decoder, field string, r rowsFile) UnitTestRows {
	out := UnitTestRows{Format: r.Format, Fixture: r.Fixture, Pos: r.Pos}
	if out.Format == "" {
		out.Format = RowsDict
	}
	at := &yaml.Node{Line: r.Pos.Line, Column: r.Pos.Col}
	if !slices.Contains(rowFormats, out.Format) {
		d.Report(at, yamlx.Field(field, "format"), unknownValue("format", out.Format, rowFormats))
		return out
	}
	rows := &r.Rows
	hasRows := rows.Kind != 0 && !yamlx.IsNull(rows)
	switch {
	case r.Fixture != "" && out.Format == RowsDict:
		d.Report(at, yamlx.Field(field, "fixture"), "fixture files hold csv or sql rows; set format: csv or format: sql")
	case r.Fixture != "" && hasRows:
		d.Report(at, field, "give rows or a fixture, not both")
	case r.Fixture != "":
	case out.Format == RowsDict:
		out.Columns, out.Rows = dictRows(d, yamlx.Field(field, "rows"), rows)
	case !hasRows:
		d.Report(at, field, fmt.Sprintf("format %s needs rows: the %s text (or fixture: a file under tests/fixtures)", out.Format, out.Format))
	case rows.Kind != yaml.ScalarNode:
		d.TypeError(rows, yamlx.Field(field, "rows"), "a string of "+out.Format)
	default:
		out.Text = rows.Value
	}
	return out
}

// dictRows decodes `rows:` as a list of mappings of column to scalar.
func dictRows(d *yamlx.Decoder, field string, n *yaml.Node) ([]string, [][]any) {
	if n.Kind == 0 || yamlx.IsNull(n) {
		return nil, nil // no rows: an empty input or an empty expectation
	}
	if n.Kind != yaml.SequenceNode {
		d.TypeError(n, field, "a list of rows, each a mapping of column to value")
		return nil, nil
	}
	var cols []string
	index := map[string]int{}
	var maps []map[string]any
	for i, item := range n.Content {
		f := yamlx.Elem(field, i)
		item = d.Resolve(item)
		if item == nil {
			continue
		}
		if item.Kind != yaml.MappingNode {
			d.TypeError(item, f, "a mapping of column to value")
			continue
		}
		row := map[string]any{}
		for _, p := range d.Pairs(item, f) {
			v := d.Resolve(p.Value)
			if v != nil && v.Kind != yaml.ScalarNode {
				d.TypeError(v, yamlx.Field(f, p.Key.Value), "a single value")
				continue
			}
			if _, ok := index[p.Key.Value]; !ok {
				index[p.Key.Value] = len(cols)
				cols = append(cols, p.Key.Value)
			}
			row[p.Key.Value] = rowValue(d, v, yamlx.Field(f, p.Key.Value))
		}
		maps = append(maps, row)
	}
	rows := make([][]any, len(maps))
	for i, m := range maps {
		rows[i] = make([]any, len(cols))
		for c, j := range index {
			rows[i][j] = m[c]
		}
	}
	return cols, rows
}

// rowValue is a scalar of a dict row as YAML types it.
func rowValue(d *yamlx.Decoder, v *yaml.Node, field string) any {
	if v != nil && v.ShortTag() == "!!timestamp" {
		var t time.Time
		if err := v.Decode(&t); err == nil {
			return t.UTC()
		}
	}
	return d.Any(v, field)
}
