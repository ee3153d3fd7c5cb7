package config

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// SelectorsFile holds named selectors, as in dbt.
const SelectorsFile = "selectors.yml"

// Selector is a named, reusable selection from selectors.yml.
type Selector struct {
	Name        string
	Description string
	// Default selectors apply when a command is given no --select.
	Default    bool
	Definition *SelectorDef
	Pos        yamlx.Pos
}

// SelectorDef is one node of a selector definition: exactly one of Expr
// (the string shorthand, in --select syntax), Method (with Value and graph
// operators), Union or Intersection. Exclude, allowed beside Union and
// Intersection and inside them as an element, subtracts its selections.
type SelectorDef struct {
	Expr string

	Method           string
	Value            string
	Parents          bool
	Children         bool
	ParentsDepth     int // -1: unlimited
	ChildrenDepth    int // -1: unlimited
	ChildrensParents bool

	Union, Intersection, Exclude []*SelectorDef
	// Indirect is indirect_selection for this definition ("" = inherit).
	Indirect string
	Pos      yamlx.Pos
}

var selectorDefKeys = []string{"method", "value", "parents", "children", "parents_depth", "children_depth", "childrens_parents", "indirect_selection", "union", "intersection", "exclude"}

// UnmarshalYAMLX decodes a definition: a string, a method mapping, or a
// union/intersection/exclude mapping.
func (s *SelectorDef) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	s.Pos, s.ParentsDepth, s.ChildrenDepth = d.Pos(n), -1, -1
	switch n.Kind {
	case yaml.ScalarNode:
		if yamlx.IsNull(n) || strings.TrimSpace(n.Value) == "" {
			d.Report(n, field, "a selector definition cannot be empty")
			return
		}
		s.Expr = n.Value
		return
	case yaml.MappingNode:
	default:
		d.TypeError(n, field, "a selector expression or a mapping with method/value, union, intersection or exclude")
		return
	}
	var raw struct {
		Method           string         `yaml:"method"`
		Value            string         `yaml:"value"`
		Parents          bool           `yaml:"parents"`
		Children         bool           `yaml:"children"`
		ParentsDepth     *int           `yaml:"parents_depth"`
		ChildrenDepth    *int           `yaml:"children_depth"`
		ChildrensParents bool           `yaml:"childrens_parents"`
		Indirect         string         `yaml:"indirect_selection"`
		Union            []*SelectorDef `yaml:"union"`
		Intersection     []*SelectorDef `yaml:"intersection"`
		Exclude          []*SelectorDef `yaml:"exclude"`
	}
	d.Decode(n, field, &raw)
	s.Method, s.Value, s.Parents, s.Children, s.ChildrensParents = raw.Method, raw.Value, raw.Parents, raw.Children, raw.ChildrensParents
	s.Union, s.Intersection, s.Exclude, s.Indirect = raw.Union, raw.Intersection, raw.Exclude, raw.Indirect
	if raw.ParentsDepth != nil {
		s.Parents, s.ParentsDepth = true, *raw.ParentsDepth
	}
	if raw.ChildrenDepth != nil {
		s.Children, s.ChildrenDepth = true, *raw.ChildrenDepth
	}
	kinds := 0
	for _, set := range []bool{s.Method != "", s.Union != nil, s.Intersection != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0 && s.Exclude == nil:
		d.Report(n, field, "needs method/value, union or intersection")
	case kinds > 1:
		d.Report(n, field, "use one of method/value, union or intersection per definition")
	case s.Method != "" && s.Value == "":
		d.Report(n, field, "method "+s.Method+" needs a value")
	case s.Method == "" && s.Value != "":
		d.Report(n, field, "value needs a method (e.g. method: tag)")
	}
	switch s.Indirect {
	case "", "eager", "cautious", "buildable", "empty":
	default:
		d.Reportf(n, field+".indirect_selection", "must be eager, cautious, buildable or empty, not %q", s.Indirect)
	}
}

// LoadSelectors reads selectors.yml at the root of fsys; a missing file
// means no selectors. Problems are yamlx.Diagnostics.
func LoadSelectors(fsys fs.FS) ([]Selector, error) {
	data, err := fs.ReadFile(fsys, SelectorsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", SelectorsFile, err)
	}
	root, diags := yamlx.Parse(SelectorsFile, data)
	if diags != nil {
		return nil, diags.Err()
	}
	if root == nil {
		return nil, nil
	}
	var file struct {
		Selectors []struct {
			Name        string       `yaml:"name" yamlx:"required"`
			Description string       `yaml:"description"`
			Default     bool         `yaml:"default"`
			Definition  *SelectorDef `yaml:"definition" yamlx:"required"`
			Pos         yamlx.Pos
		} `yaml:"selectors"`
	}
	d := yamlx.NewDecoder(SelectorsFile)
	d.Decode(root, "", &file)
	var out []Selector
	diags = d.Diagnostics()
	seen := map[string]yamlx.Pos{}
	defaults := 0
	for i, s := range file.Selectors {
		if prev, dup := seen[s.Name]; dup && s.Name != "" {
			diags = append(diags, yamlx.Diagnostic{Path: SelectorsFile, Line: s.Pos.Line, Col: s.Pos.Col,
				Msg: fmt.Sprintf("selectors[%d]: selector %q is already defined at line %d", i, s.Name, prev.Line)})
		}
		seen[s.Name] = s.Pos
		if s.Default {
			if defaults++; defaults > 1 {
				diags = append(diags, yamlx.Diagnostic{Path: SelectorsFile, Line: s.Pos.Line, Col: s.Pos.Col,
					Msg: fmt.Sprintf("selectors[%d]: only one selector can be default", i)})
			}
		}
		out = append(out, Selector{Name: s.Name, Description: s.Description, Default: s.Default, Definition: s.Definition, Pos: s.Pos})
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
