// Package dag builds the dependency graph of a cdw project (models, seeds,
// sources, tests and any other node kind), orders it, and selects nodes with
// dbt's selector grammar.
//
// The package is pure: no I/O, no database, no clocks. A *Graph is immutable
// once Build returns it, so every method is safe for concurrent use by
// multiple goroutines.
//
// Edges point from a parent to the node that depends on it (data-flow
// direction). dominikbraun/graph holds the graph while it is built and names
// the strongly connected components of a cycle; ordering and every closure
// (ancestors, descendants, selection) are O(V+E) walks over compact
// adjacency lists derived once from the library's adjacency map.
package dag

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/dominikbraun/graph"
)

// Resource types the package gives meaning to. Other values are allowed and
// are treated like models.
const (
	ResourceModel  = "model"
	ResourceTest   = "test"
	ResourceSource = "source"
	ResourceSeed   = "seed"
	// ResourceExtractor is an extractor, upstream of the sources it lands
	// (selected with extract:NAME).
	ResourceExtractor = "extractor"
)

// Node is one vertex of the project graph, as handed to Build.
type Node struct {
	// ID is the unique key, e.g. "model.readings", "test.not_null_readings_mpxn",
	// "source.raw.d0010_readings", "seed.tariffs". Must be non-empty.
	ID string
	// Name is what a bare selector matches: the model or seed name, the test
	// name, or "source_name.table_name" for sources.
	Name string
	// ResourceType is "model", "test", "source", "seed", or another kind.
	ResourceType string
	// Path is slash-separated and relative to the project root, e.g.
	// "models/core/readings.sql"; for tests declared in YAML, the YAML file.
	Path string
	// Tags are matched by the tag: selector method.
	Tags []string
	// Config holds the node's resolved config, matched by config.<key>:.
	// For tests, Config["test_type"] is "generic" or "singular".
	Config map[string]any
	// Parents are the IDs this node depends on: refs and sources for models,
	// the tested nodes for tests. Duplicates are ignored.
	Parents []string
}

// Graph is a validated, acyclic project graph. Build is the only constructor.
type Graph struct {
	nodes    []Node         // sorted by ID; a node's index is its rank
	index    map[string]int // ID -> index
	parents  [][]int        // ascending indices, i.e. sorted by ID
	children [][]int        // ascending indices, i.e. sorted by ID
	order    []int          // stable topological order
	pos      []int          // index -> position in order
	tests    []int          // indices of test nodes, ascending
}

// Build validates nodes and returns the graph. The input slice is not
// retained; each Node is copied (Tags, Parents and the top level of Config).
//
// Errors, checked in this order, each listing every offending node:
//   - *InvalidNodeError when an ID is empty or appears more than once;
//   - *MissingParentError when a parent ID is not among the nodes;
//   - *CycleError when the graph has cycles (including self-dependencies).
func Build(nodes []Node) (*Graph, error) {
	g := &Graph{
		nodes: make([]Node, len(nodes)),
		index: make(map[string]int, len(nodes)),
	}
	for i, n := range nodes {
		g.nodes[i] = copyNode(n)
	}
	sort.Slice(g.nodes, func(i, j int) bool { return g.nodes[i].ID < g.nodes[j].ID })
	if err := checkIDs(g.nodes); err != nil {
		return nil, err
	}
	for i, n := range g.nodes {
		g.index[n.ID] = i
	}
	if err := g.checkParents(); err != nil {
		return nil, err
	}
	lib, err := g.libraryGraph()
	if err != nil {
		return nil, err
	}
	if err := g.adjacency(lib); err != nil {
		return nil, err
	}
	if !g.topoSort() {
		return nil, g.cycleError(lib)
	}
	for i, n := range g.nodes {
		if n.ResourceType == ResourceTest {
			g.tests = append(g.tests, i)
		}
	}
	return g, nil
}

func copyNode(n Node) Node {
	n.Tags = slices.Clone(n.Tags)
	n.Config = maps.Clone(n.Config)
	ps := slices.Clone(n.Parents)
	slices.Sort(ps)
	n.Parents = slices.Compact(ps)
	return n
}

func checkIDs(sorted []Node) error {
	var e InvalidNodeError
	for i, n := range sorted {
		switch {
		case n.ID == "":
			e.Empty++
		case i > 0 && sorted[i-1].ID == n.ID:
			if len(e.Duplicates) == 0 || e.Duplicates[len(e.Duplicates)-1] != n.ID {
				e.Duplicates = append(e.Duplicates, n.ID)
			}
		}
	}
	if e.Empty > 0 || len(e.Duplicates) > 0 {
		return &e
	}
	return nil
}

func (g *Graph) checkParents() error {
	var missing []MissingParent
	for _, n := range g.nodes {
		for _, p := range n.Parents {
			if _, ok := g.index[p]; !ok {
				missing = append(missing, MissingParent{Child: n.ID, Parent: p})
			}
		}
	}
	if len(missing) > 0 {
		return &MissingParentError{Missing: missing}
	}
	return nil
}

// libraryGraph loads the nodes into dominikbraun/graph without
// PreventCycles (which costs a walk per edge); cycles are found afterwards.
func (g *Graph) libraryGraph() (graph.Graph[string, string], error) {
	lib := graph.New(graph.StringHash, graph.Directed())
	for _, n := range g.nodes {
		if err := lib.AddVertex(n.ID); err != nil {
			return nil, fmt.Errorf("dag: add node %s: %w", n.ID, err)
		}
	}
	for _, n := range g.nodes {
		for _, p := range n.Parents {
			if err := lib.AddEdge(p, n.ID); err != nil {
				return nil, fmt.Errorf("dag: add edge %s -> %s: %w", p, n.ID, err)
			}
		}
	}
	return lib, nil
}

// adjacency takes the library's adjacency map once and turns it into
// index lists sorted by ID; parents are its inversion (cheaper than a second
// map from the library, which copies every edge again).
func (g *Graph) adjacency(lib graph.Graph[string, string]) error {
	succ, err := lib.AdjacencyMap()
	if err != nil {
		return fmt.Errorf("dag: adjacency map: %w", err)
	}
	g.children = g.toIndexLists(succ)
	g.parents = make([][]int, len(g.nodes))
	for i, cs := range g.children {
		for _, c := range cs {
			g.parents[c] = append(g.parents[c], i) // i ascends, so lists stay sorted
		}
	}
	return nil
}

func (g *Graph) toIndexLists(m map[string]map[string]graph.Edge[string]) [][]int {
	out := make([][]int, len(g.nodes))
	for id, adj := range m {
		if len(adj) == 0 {
			continue
		}
		list := make([]int, 0, len(adj))
		for other := range adj {
			list = append(list, g.index[other])
		}
		slices.Sort(list)
		out[g.index[id]] = list
	}
	return out
}

// Len returns the number of nodes.
func (g *Graph) Len() int { return len(g.nodes) }

// Node returns a copy of the node with the given ID and whether it exists.
// Tags, Parents and the top level of Config are copied; nested Config values
// are shared and must not be modified.
func (g *Graph) Node(id string) (Node, bool) {
	i, ok := g.index[id]
	if !ok {
		return Node{}, false
	}
	return copyNode(g.nodes[i]), true
}

// Order returns every node ID in a stable topological order: each node after
// all of its parents, and among nodes whose parents are all placed, the
// smallest ID first. The order depends only on the set of nodes and edges,
// never on the order of the input to Build. The slice is the caller's.
func (g *Graph) Order() []string {
	out := make([]string, len(g.order))
	for k, i := range g.order {
		out[k] = g.nodes[i].ID
	}
	return out
}

// Parents returns the direct parents of id sorted by ID, or nil when id is
// unknown or has no parents.
func (g *Graph) Parents(id string) []string {
	i, ok := g.index[id]
	if !ok {
		return nil
	}
	return g.ids(g.parents[i])
}

// Children returns the nodes that depend directly on id sorted by ID, or nil
// when id is unknown or has no children.
func (g *Graph) Children(id string) []string {
	i, ok := g.index[id]
	if !ok {
		return nil
	}
	return g.ids(g.children[i])
}

func (g *Graph) ids(idx []int) []string {
	if len(idx) == 0 {
		return nil
	}
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = g.nodes[i].ID
	}
	return out
}
