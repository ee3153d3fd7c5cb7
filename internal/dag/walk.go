package dag

// Ancestors returns the nodes id depends on, directly or transitively, up to
// depth edges away (depth < 0: unlimited; depth 0: none), in Order(). The
// node itself is not included. An unknown id yields nil.
func (g *Graph) Ancestors(id string, depth int) []string {
	return g.closure(id, g.parents, depth)
}

// Descendants returns the nodes that depend on id, directly or transitively,
// up to depth edges away (depth < 0: unlimited; depth 0: none), in Order().
// The node itself is not included. An unknown id yields nil.
func (g *Graph) Descendants(id string, depth int) []string {
	return g.closure(id, g.children, depth)
}

func (g *Graph) closure(id string, adj [][]int, depth int) []string {
	i, ok := g.index[id]
	if !ok {
		return nil
	}
	set := make([]bool, len(g.nodes))
	g.reach([]int{i}, adj, depth, false, set)
	set[i] = false
	return g.inOrder(set)
}

// reach marks in out every node within depth steps of seeds along adj
// (depth < 0: unlimited), seeds included. With skipTests, test nodes are
// neither entered nor walked through (seeds are always marked and walked).
// It is a multi-source breadth-first search: O(V+E).
func (g *Graph) reach(seeds []int, adj [][]int, depth int, skipTests bool, out []bool) {
	seen := make([]bool, len(g.nodes))
	frontier := make([]int, 0, len(seeds))
	for _, s := range seeds {
		if !seen[s] {
			seen[s] = true
			frontier = append(frontier, s)
		}
	}
	for level := 0; len(frontier) > 0 && (depth < 0 || level < depth); level++ {
		var next []int
		for _, x := range frontier {
			for _, y := range adj[x] {
				if seen[y] || (skipTests && g.nodes[y].ResourceType == ResourceTest) {
					continue
				}
				seen[y] = true
				next = append(next, y)
			}
		}
		frontier = next
	}
	for i, s := range seen {
		if s {
			out[i] = true
		}
	}
}

// inOrder lists the marked nodes in topological order.
func (g *Graph) inOrder(set []bool) []string {
	var out []string
	for _, i := range g.order {
		if set[i] {
			out = append(out, g.nodes[i].ID)
		}
	}
	return out
}
