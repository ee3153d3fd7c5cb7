package project

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/csvx"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// UnitTest is a unit test of a model (dbt 1.8's unit_tests): fixed rows
// stand in for what the model reads, and its output must equal the
// expected rows. It runs on an embedded DuckDB, not on the target.
type UnitTest struct {
	// Model is the ID of the model under test.
	Model       string
	Description string
	// Given are the inputs, one per node the model reads (directly, or
	// through ephemeral models that are not given themselves).
	Given []UnitInput
	// Expect are the rows the model must return. For dict and csv rows,
	// only the columns named are compared.
	Expect Rows
	// Vars override the project's vars; EnvVars its environment.
	Vars    map[string]any
	EnvVars map[string]string
	// IsIncremental, when set, is what is_incremental() returns.
	IsIncremental *bool
}

// UnitInput is fixed rows for one input of a unit test.
type UnitInput struct {
	// Node is the ID of the model, seed, snapshot or source the rows stand
	// for; "" when This is set.
	Node string
	// This marks rows standing for the model's own existing table
	// ({{ this }} of an incremental model).
	This bool
	Rows Rows
}

// Rows are unit-test rows. For dict and csv, Columns and Values hold the
// rows (csv values are strings, or nil for an unquoted empty field; dict
// values are as YAML gives them); for sql, SQL is a select returning them.
type Rows struct {
	Format  string
	Columns []string
	Values  [][]any
	SQL     string
	Pos     yamlx.Pos
}

var inputArg = regexp.MustCompile(`^\s*(ref|source)\s*\(.*\)\s*$`)

// addUnitTests creates a node per `unit_tests:` entry, after the models
// are parsed (a unit test needs to know what its model reads).
func (p *Project) addUnitTests(fsys fs.FS, props *config.Properties) error {
	var probs Problems
	for _, d := range props.UnitTests {
		if d.Enabled != nil && !*d.Enabled {
			continue
		}
		n, err := p.unitTestNode(fsys, d)
		if err != nil {
			pos := d.Pos
			if pe, ok := err.(posError); ok {
				pos = pe.pos
			}
			probs = append(probs, at(pos, fmt.Sprintf("unit test %s: %v", d.Name, err)))
			continue
		}
		if n != nil {
			p.Nodes[n.ID] = n
		}
	}
	return errOrNil(probs)
}

func (p *Project) unitTestNode(fsys fs.FS, d config.UnitTestDecl) (*Node, error) {
	model, ok := p.Nodes[KindModel+"."+d.Model]
	if !ok {
		if p.disabled[d.Model] {
			return nil, nil // the model is disabled: so are its unit tests
		}
		return nil, fmt.Errorf("model %q does not exist%s", d.Model, p.suggestModel(d.Model))
	}
	ut := &UnitTest{Model: model.ID, Description: d.Description, Vars: d.Vars, EnvVars: d.EnvVars, IsIncremental: d.IsIncremental}
	incremental := model.Config.EffectiveMaterialized() == config.MaterializedIncremental
	if d.IsIncremental != nil && *d.IsIncremental && !incremental {
		return nil, fmt.Errorf("overrides.macros.is_incremental: %s is not an incremental model", d.Model)
	}
	reads := p.readsThroughEphemerals(model)
	given := map[string]bool{}
	for _, g := range d.Given {
		in := UnitInput{}
		if strings.TrimSpace(g.Input) == "this" {
			if !incremental {
				return nil, fmt.Errorf("input: this stands for the existing table of an incremental model; %s is %s", d.Model, model.Config.EffectiveMaterialized())
			}
			in.This = true
		} else {
			id, err := p.inputNode(g.Input, g.Pos.File)
			if err != nil {
				return nil, posError{g.Pos, err.Error()}
			}
			if !reads[id] {
				return nil, posError{g.Pos, fmt.Sprintf("input %s: %s does not read it (it reads %s)", g.Input, d.Model, strings.Join(describeReads(p, reads), ", "))}
			}
			in.Node = id
		}
		key := in.Node
		if in.This {
			key = "this"
		}
		if given[key] {
			return nil, posError{g.Pos, fmt.Sprintf("input %s is given twice", g.Input)}
		}
		given[key] = true
		rows, err := p.unitRows(fsys, g.UnitTestRows)
		if err != nil {
			return nil, posError{g.Pos, fmt.Sprintf("input %s: %v", g.Input, err)}
		}
		in.Rows = rows
		ut.Given = append(ut.Given, in)
	}
	// Every input the model needs must be given: what it reads directly,
	// and through ephemeral models that are not given themselves.
	var missing []string
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, id := range n.Parents {
			parent := p.Nodes[id]
			if parent == nil || given[id] {
				continue
			}
			if parent.Kind == KindModel && parent.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
				walk(parent)
				continue
			}
			missing = append(missing, describeNode(parent))
		}
	}
	walk(model)
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%s reads %s: give rows for each under given: (an empty list of rows is fine)", d.Model, strings.Join(missing, ", "))
	}
	if d.IsIncremental != nil && *d.IsIncremental && !given["this"] {
		return nil, fmt.Errorf("with is_incremental true, give the existing table's rows as input: this")
	}
	expect, err := p.unitRows(fsys, d.Expect)
	if err != nil {
		return nil, posError{d.Expect.Pos, "expect: " + err.Error()}
	}
	ut.Expect = expect
	return &Node{ID: KindUnitTest + "." + d.Name, Kind: KindUnitTest, Name: d.Name, Path: d.Pos.File,
		Description: d.Description, Tags: d.Tags, Parents: []string{model.ID}, UnitTest: ut}, nil
}

// inputNode resolves "ref('x')" or "source('a', 'b')" to a node ID.
func (p *Project) inputNode(input, file string) (string, error) {
	if !inputArg.MatchString(input) {
		return "", fmt.Errorf("input must be ref('model'), source('source', 'table') or this, got %q", input)
	}
	tpl, err := p.Engine.Parse(file, "{{ "+input+" }}")
	if err != nil {
		return "", err
	}
	out, err := tpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo(), Resolver: parseResolver{p}})
	if err != nil {
		return "", fmt.Errorf("%s", strings.TrimPrefix(err.Error(), file+":1: "))
	}
	if len(out.Refs)+len(out.Sources) != 1 {
		return "", fmt.Errorf("input must name exactly one ref() or source(), got %q", input)
	}
	if len(out.Refs) == 1 {
		id, _ := p.refID(out.Refs[0])
		return id, nil
	}
	return sourceID(out.Sources[0][0], out.Sources[0][1]), nil
}

// readsThroughEphemerals is every node the model reads, directly or
// through ephemeral models (which are inlined, so their inputs are the
// model's too), including those ephemeral models.
func (p *Project) readsThroughEphemerals(model *Node) map[string]bool {
	out := map[string]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, id := range n.Parents {
			if out[id] {
				continue
			}
			out[id] = true
			if parent := p.Nodes[id]; parent != nil && parent.Kind == KindModel && parent.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
				walk(parent)
			}
		}
	}
	walk(model)
	return out
}

func describeReads(p *Project, reads map[string]bool) []string {
	var out []string
	for id := range reads {
		if n := p.Nodes[id]; n != nil {
			out = append(out, describeNode(n))
		}
	}
	sort.Strings(out)
	return out
}

// describeNode writes a node as a user would: ref('x') or source('a', 'b').
func describeNode(n *Node) string {
	if n.Kind == KindSource {
		s, t, _ := strings.Cut(n.Name, ".")
		return fmt.Sprintf("source('%s', '%s')", s, t)
	}
	return fmt.Sprintf("ref('%s')", n.Name)
}

// unitRows reads a rows block: dict rows as decoded, csv parsed (inline
// or from tests/fixtures/NAME.csv), sql as text (inline or NAME.sql).
func (p *Project) unitRows(fsys fs.FS, r config.UnitTestRows) (Rows, error) {
	out := Rows{Format: r.Format, Pos: r.Pos}
	text := r.Text
	if r.Fixture != "" {
		file := path.Join(p.Config.Paths.Tests, "fixtures", r.Fixture+"."+r.Format)
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return out, fmt.Errorf("fixture %s: %v", file, err)
		}
		text = string(b)
	}
	switch r.Format {
	case config.RowsDict:
		out.Columns, out.Values = r.Columns, r.Rows
	case config.RowsSQL:
		out.SQL = text
	case config.RowsCSV:
		rd := csvx.NewReader(strings.NewReader(text), ',')
		for first := true; ; first = false {
			rec, err := rd.Read()
			if err == io.EOF {
				if first {
					return out, fmt.Errorf("csv rows need a header line naming the columns")
				}
				break
			}
			if err != nil {
				return out, fmt.Errorf("csv rows: %v", err)
			}
			if first {
				for _, f := range rec {
					out.Columns = append(out.Columns, f.Value)
				}
				continue
			}
			if len(rec) != len(out.Columns) {
				return out, fmt.Errorf("csv rows: line %d has %d fields, the header has %d", rd.Line(), len(rec), len(out.Columns))
			}
			row := make([]any, len(rec))
			for i, f := range rec {
				if !f.IsNull() {
					row[i] = f.Value
				}
			}
			out.Values = append(out.Values, row)
		}
	}
	return out, nil
}

// posError is an error that knows a more precise position than its
// declaration's.
type posError struct {
	pos yamlx.Pos
	msg string
}

func (e posError) Error() string { return e.msg }
