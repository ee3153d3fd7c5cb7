package dag

import (
	"fmt"
	"testing"
)

// benchSizes are project sizes with about three parents per node.
var benchSizes = []int{1000, 5000, 10000}

// BenchmarkBuild measures Build, which includes validation, the library
// graph, the adjacency maps and the topological order.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		nodes := randomDAG(42, n, 3)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(nodes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSelect measures selection on a built graph: a union of graph
// operators, an intersection, an exclusion and eager indirect selection.
func BenchmarkSelect(b *testing.B) {
	for _, n := range benchSizes {
		g := mustBuild(b, randomDAG(42, n, 3))
		sel := []string{fmt.Sprintf("+m%05d+ @m%05d tag:hot,path:models/d0*", n/2, n-n/10)}
		exclude := []string{fmt.Sprintf("m%05d+", n-5)}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Select(sel, exclude, SelectOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildOrderSelect is the whole front-half cost for one
// invocation: build, order and select.
func BenchmarkBuildOrderSelect(b *testing.B) {
	for _, n := range benchSizes {
		nodes := randomDAG(42, n, 3)
		sel := []string{fmt.Sprintf("+m%05d+", n/2)}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				g, err := Build(nodes)
				if err != nil {
					b.Fatal(err)
				}
				_ = g.Order()
				if _, err := g.Select(sel, nil, SelectOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
