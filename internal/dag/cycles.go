package dag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dominikbraun/graph"
)

// cycleError names every cycle: the library's strongly connected components
// with more than one member, plus self-dependencies. Only called when
// topoSort failed, so its cost is off the happy path.
func (g *Graph) cycleError(lib graph.Graph[string, string]) error {
	sccs, err := graph.StronglyConnectedComponents(lib)
	if err != nil {
		return fmt.Errorf("dag: find cycles: %w", err)
	}
	var cycles []Cycle
	for _, comp := range sccs {
		members := make([]int, len(comp))
		for k, id := range comp {
			members[k] = g.index[id]
		}
		slices.Sort(members)
		if len(members) == 1 {
			if _, self := slices.BinarySearch(g.children[members[0]], members[0]); !self {
				continue
			}
		}
		cycles = append(cycles, Cycle{
			Nodes: g.ids(members),
			Path:  g.ids(g.closedWalk(members)),
		})
	}
	slices.SortFunc(cycles, func(a, b Cycle) int {
		return strings.Compare(a.Nodes[0], b.Nodes[0])
	})
	return &CycleError{Cycles: cycles}
}

// closedWalk returns a walk along edges inside the strongly connected set
// members (sorted) that starts and ends at members[0] and visits every
// member: repeatedly go to the nearest unvisited member (breadth-first,
// children in ID order), then return to the start. For a simple cycle this
// is the cycle itself.
func (g *Graph) closedWalk(members []int) []int {
	in := make(map[int]bool, len(members))
	for _, m := range members {
		in[m] = false // false = not yet visited
	}
	start := members[0]
	walk := []int{start}
	in[start] = true
	left := len(members) - 1
	cur := start
	for left > 0 {
		path := g.shortestPath(cur, in, func(x int) bool { return !in[x] })
		for _, x := range path {
			if !in[x] {
				in[x] = true
				left--
			}
		}
		walk = append(walk, path...)
		cur = walk[len(walk)-1]
	}
	return append(walk, g.shortestPath(cur, in, func(x int) bool { return x == start })...)
}

// shortestPath does a breadth-first search from src over edges whose target
// is a key of within and returns the path (without src, at least one step)
// to the first node satisfying goal. In a strongly connected set a goal
// member is always reachable.
func (g *Graph) shortestPath(src int, within map[int]bool, goal func(int) bool) []int {
	prev := map[int]int{}
	queue := []int{src}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, c := range g.children[x] {
			if _, ok := within[c]; !ok {
				continue
			}
			if _, seen := prev[c]; seen {
				continue
			}
			prev[c] = x
			if goal(c) {
				var path []int
				for y := c; ; y = prev[y] {
					path = append(path, y)
					if prev[y] == src {
						break
					}
				}
				slices.Reverse(path)
				return path
			}
			queue = append(queue, c)
		}
	}
	return nil
}
