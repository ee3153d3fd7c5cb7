package project

import (
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/dag"
)

// KindExtractor is an extractor: a node upstream of the sources whose
// tables it lands, so `--select extract:d0010+` runs it and then what
// reads its data.
const KindExtractor = dag.ResourceExtractor

// Lander describes an extractor to the graph: its name and the tables it
// lands (in Schema).
type Lander struct {
	Name   string
	Schema string
	Tables []string
}

func extractorID(name string) string { return KindExtractor + "." + name }

// addExtractors adds a node per extractor that lands at least one declared
// source table, and makes it a parent of those sources. Tables match the
// sources' relations by schema and name, case-insensitively.
func (p *Project) addExtractors(ls []Lander) {
	for _, l := range ls {
		lands := map[string]bool{}
		for _, t := range l.Tables {
			lands[strings.ToLower(t)] = true
		}
		id := extractorID(l.Name)
		var sources []string
		for _, n := range p.Nodes {
			if n.Kind == KindSource && strings.EqualFold(n.Relation.Schema, l.Schema) && lands[strings.ToLower(n.Relation.Name)] {
				sources = append(sources, n.ID)
			}
		}
		if len(sources) == 0 {
			continue
		}
		sort.Strings(sources)
		p.Nodes[id] = &Node{ID: id, Kind: KindExtractor, Name: l.Name,
			Description: "lands " + strings.Join(sourceNames(p, sources), ", ")}
		for _, s := range sources {
			p.Nodes[s].Parents = append(p.Nodes[s].Parents, id)
		}
	}
}

func sourceNames(p *Project, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = p.Nodes[id].Name
	}
	return out
}
