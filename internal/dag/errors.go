package dag

import (
	"fmt"
	"strings"
)

// InvalidNodeError reports nodes that cannot be keyed: empty IDs and IDs
// given more than once.
type InvalidNodeError struct {
	Empty      int      // number of nodes with an empty ID
	Duplicates []string // IDs given more than once, sorted
}

func (e *InvalidNodeError) Error() string {
	var parts []string
	if e.Empty > 0 {
		parts = append(parts, fmt.Sprintf("%d node(s) with an empty ID", e.Empty))
	}
	for _, id := range e.Duplicates {
		parts = append(parts, "duplicate node ID "+id)
	}
	return strings.Join(parts, "; ")
}

// MissingParent is one dependency on a node that does not exist.
type MissingParent struct {
	Child  string // the node declaring the dependency
	Parent string // the ID that is not a node
}

// MissingParentError lists every dependency on an unknown node, sorted by
// child then parent.
type MissingParentError struct {
	Missing []MissingParent
}

func (e *MissingParentError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = fmt.Sprintf("%s depends on %s, which does not exist", m.Child, m.Parent)
	}
	return strings.Join(parts, "; ")
}

// Cycle is one strongly connected group of nodes that depend on each other.
type Cycle struct {
	// Nodes are the members, sorted by ID.
	Nodes []string
	// Path is a closed walk along real edges that starts and ends at
	// Nodes[0] and visits every member; each step goes from a node to a node
	// that depends on it. For a simple cycle it is the cycle itself; a
	// self-dependency is [x, x].
	Path []string
}

// CycleError reports every cycle in the graph, sorted by each cycle's
// smallest ID, e.g.
//
//	cycle: model.a -> model.b -> model.c -> model.a; cycle: model.x -> model.x
type CycleError struct {
	Cycles []Cycle
}

func (e *CycleError) Error() string {
	parts := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		parts[i] = "cycle: " + strings.Join(c.Path, " -> ")
	}
	return strings.Join(parts, "; ")
}
