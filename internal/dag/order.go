package dag

// topoSort fills g.order and g.pos with Kahn's algorithm, taking the smallest
// ready index (= smallest ID) first. It reports false when some nodes could
// not be placed, i.e. the graph has a cycle. O((V+E) log V).
func (g *Graph) topoSort() bool {
	n := len(g.nodes)
	indeg := make([]int, n)
	var ready minHeap
	for i := range n {
		indeg[i] = len(g.parents[i])
		if indeg[i] == 0 {
			ready.push(i)
		}
	}
	g.order = make([]int, 0, n)
	for ready.len() > 0 {
		i := ready.pop()
		g.order = append(g.order, i)
		for _, c := range g.children[i] {
			indeg[c]--
			if indeg[c] == 0 {
				ready.push(c)
			}
		}
	}
	if len(g.order) != n {
		return false
	}
	g.pos = make([]int, n)
	for p, i := range g.order {
		g.pos[i] = p
	}
	return true
}

// minHeap is a binary min-heap of node indices.
type minHeap struct{ a []int }

func (h *minHeap) len() int { return len(h.a) }

func (h *minHeap) push(x int) {
	h.a = append(h.a, x)
	for k := len(h.a) - 1; k > 0; {
		p := (k - 1) / 2
		if h.a[p] <= h.a[k] {
			break
		}
		h.a[p], h.a[k] = h.a[k], h.a[p]
		k = p
	}
}

func (h *minHeap) pop() int {
	top := h.a[0]
	last := len(h.a) - 1
	h.a[0] = h.a[last]
	h.a = h.a[:last]
	for k := 0; ; {
		l, r, m := 2*k+1, 2*k+2, k
		if l < last && h.a[l] < h.a[m] {
			m = l
		}
		if r < last && h.a[r] < h.a[m] {
			m = r
		}
		if m == k {
			break
		}
		h.a[m], h.a[k] = h.a[k], h.a[m]
		k = m
	}
	return top
}
