package project

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

func sourceID(src, tbl string) string { return KindSource + "." + src + "." + tbl }

// Freshness is a source table's freshness check: the column (or SQL
// expression) telling when a row was loaded, and the thresholds.
type Freshness struct {
	LoadedAtField string
	Decl          config.FreshnessDecl
}

// addSources creates a node per declared source table.
func (p *Project) addSources(props *config.Properties) error {
	var probs Problems
	for _, s := range props.Sources {
		schema := s.Schema
		if schema == "" {
			schema = s.Name
		}
		for _, t := range s.Tables {
			ident := t.Identifier
			if ident == "" {
				ident = t.Name
			}
			n := &Node{
				ID: sourceID(s.Name, t.Name), Kind: KindSource, Name: s.Name + "." + t.Name,
				Path: t.Pos.File, Description: t.Description,
				Relation: warehouse.Relation{Schema: schema, Name: ident},
				Columns:  columns(t.Columns),
			}
			n.Config.EventTime = t.EventTime
			field, f, ok := config.Freshness(s, t)
			switch {
			case ok:
				n.Freshness = &Freshness{LoadedAtField: field, Decl: *f}
			case f != nil && field == "":
				at := f.Pos
				probs = append(probs, fmt.Sprintf("%s:%d:%d: source table %s.%s has freshness but no loaded_at_field (set it on the table or the source)",
					at.File, at.Line, at.Col, s.Name, t.Name))
			}
			if _, dup := p.Nodes[n.ID]; dup {
				probs = append(probs, fmt.Sprintf("%s:%d:%d: source table %s.%s is declared twice", t.Pos.File, t.Pos.Line, t.Pos.Col, s.Name, t.Name))
				continue
			}
			p.Nodes[n.ID] = n
		}
	}
	return errOrNil(probs)
}

// source finds a declared source table, or says what is declared.
func (p *Project) source(src, tbl string) (*Node, error) {
	if n, ok := p.Nodes[sourceID(src, tbl)]; ok {
		return n, nil
	}
	var tables, sources []string
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Kind != KindSource {
			continue
		}
		s, t, _ := strings.Cut(n.Name, ".")
		if !seen[s] {
			seen[s] = true
			sources = append(sources, s)
		}
		if s == src {
			tables = append(tables, t)
		}
	}
	sort.Strings(tables)
	sort.Strings(sources)
	if len(tables) > 0 {
		return nil, fmt.Errorf("source(%q, %q): source %q has no table %q (declared: %s)", src, tbl, src, tbl, strings.Join(tables, ", "))
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("source(%q, %q): no sources are declared (declare them under `sources:` in a .yml file next to the models)", src, tbl)
	}
	return nil, fmt.Errorf("source(%q, %q): no source named %q (declared: %s)", src, tbl, src, strings.Join(sources, ", "))
}

// suggestModel returns "; did you mean X?" for a near-miss model name.
func (p *Project) suggestModel(name string) string {
	var names []string
	for _, kind := range []string{KindModel, KindSeed, KindSnapshot} {
		for _, n := range p.nodesOfKind(kind) {
			names = append(names, n.Name)
		}
	}
	if best := yamlx.Suggest(name, names); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

func sortNodes(ns []*Node) { sort.Slice(ns, func(i, j int) bool { return ns[i].ID < ns[j].ID }) }
