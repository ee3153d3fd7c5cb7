package project

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func sourceID(src, tbl string) string { return KindSource + "." + src + "." + tbl }

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
	best, bestD := "", 3
	for _, n := range p.Nodes {
		if n.Kind != KindModel {
			continue
		}
		if d := editDistance(name, n.Name); d < bestD || (d == bestD && n.Name < best) {
			best, bestD = n.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortNodes(ns []*Node) { sort.Slice(ns, func(i, j int) bool { return ns[i].ID < ns[j].ID }) }
