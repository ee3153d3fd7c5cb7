package dag

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestOrderFixture(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	// Worked by hand: Kahn's algorithm, smallest ready ID first.
	// tOrphanSgl has no parents and is ready from the start, yet every
	// model, seed and source ID sorts before "test.".
	want := []string{
		seedGSP, srcD0010, stgD0010, srcHH, stgHH, daily, readings, valid,
		tSingular, tOrphanSgl, tNotNull, tRel, tUnique,
	}
	if got := g.Order(); !slices.Equal(got, want) {
		t.Errorf("Order() =\n%v\nwant\n%v", got, want)
	}
}

// referenceOrder is a deliberately naive oracle: repeatedly place the
// smallest ID whose parents are all placed.
func referenceOrder(nodes []Node) []string {
	placed := map[string]bool{}
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	parents := map[string][]string{}
	for _, n := range nodes {
		parents[n.ID] = n.Parents
	}
	var out []string
	for len(out) < len(ids) {
		for _, id := range ids {
			if placed[id] {
				continue
			}
			ready := true
			for _, p := range parents[id] {
				if !placed[p] {
					ready = false
					break
				}
			}
			if ready {
				placed[id] = true
				out = append(out, id)
				break
			}
		}
	}
	return out
}

func TestOrderStableUnderShuffle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := map[string][]Node{
		"fixture":    fixtureNodes(),
		"random-300": randomDAG(7, 300, 3),
		"random-50":  randomDAG(11, 50, 1),
	}
	for name, nodes := range cases {
		t.Run(name, func(t *testing.T) {
			want := referenceOrder(nodes)
			for k := range 8 {
				g := mustBuild(t, shuffled(r, nodes))
				if got := g.Order(); !slices.Equal(got, want) {
					t.Fatalf("shuffle %d: order differs from the reference\ngot  %v\nwant %v", k, got, want)
				}
			}
		})
	}
}

func TestNeighbours(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"Parents(readings)", g.Parents(readings), []string{stgD0010, stgHH}},
		{"Parents(tRel)", g.Parents(tRel), []string{readings, valid}},
		{"Parents(source)", g.Parents(srcD0010), nil},
		{"Parents(unknown)", g.Parents("model.nope"), nil},
		{"Children(readings)", g.Children(readings), []string{valid, tSingular, tNotNull, tRel}},
		{"Children(stgHH)", g.Children(stgHH), []string{daily, readings}},
		{"Children(unknown)", g.Children("model.nope"), nil},
		{"Ancestors(valid, all)", g.Ancestors(valid, -1), []string{srcD0010, stgD0010, srcHH, stgHH, readings}},
		{"Ancestors(valid, 1)", g.Ancestors(valid, 1), []string{readings}},
		{"Ancestors(valid, 2)", g.Ancestors(valid, 2), []string{stgD0010, stgHH, readings}},
		{"Ancestors(valid, 0)", g.Ancestors(valid, 0), nil},
		{"Ancestors(tSingular, all)", g.Ancestors(tSingular, -1), []string{seedGSP, srcD0010, stgD0010, srcHH, stgHH, daily, readings}},
		{"Descendants(stgHH, all)", g.Descendants(stgHH, -1), []string{daily, readings, valid, tSingular, tNotNull, tRel, tUnique}},
		{"Descendants(stgHH, 1)", g.Descendants(stgHH, 1), []string{daily, readings}},
		{"Descendants(unknown)", g.Descendants("x", -1), nil},
	}
	for _, tc := range tests {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if g.Len() != len(fixtureNodes()) {
		t.Errorf("Len() = %d, want %d", g.Len(), len(fixtureNodes()))
	}
}

func TestNodeIsACopy(t *testing.T) {
	in := fixtureNodes()
	g := mustBuild(t, in)
	in[6].Tags[0] = "mutated-input" // readings_valid
	n, ok := g.Node(valid)
	if !ok || n.Name != "readings_valid" || n.Tags[0] != "core" {
		t.Fatalf("Node(valid) = %+v, %v; input mutation leaked or node missing", n, ok)
	}
	n.Tags[0] = "mutated-output"
	n.Config["materialized"] = "view"
	again, _ := g.Node(valid)
	if again.Tags[0] != "core" || again.Config["materialized"] != "table" {
		t.Errorf("mutating a returned Node changed the graph: %+v", again)
	}
	if _, ok := g.Node("model.nope"); ok {
		t.Error("Node(unknown) reported ok")
	}
	if r, _ := g.Node(readings); !slices.Equal(r.Parents, []string{stgD0010, stgHH}) {
		t.Errorf("Node(readings).Parents = %v, want deduplicated and sorted", r.Parents)
	}
}

func TestBuildErrors(t *testing.T) {
	m := func(id string, parents ...string) Node {
		return Node{ID: id, Name: strings.TrimPrefix(id, "model."), ResourceType: "model", Parents: parents}
	}
	tests := []struct {
		name    string
		nodes   []Node
		wantMsg string
		check   func(t *testing.T, err error)
	}{
		{
			name:    "missing parents, all reported",
			nodes:   []Node{m("model.b", "model.zz", "model.a"), m("model.a", "source.raw.gone")},
			wantMsg: "model.a depends on source.raw.gone, which does not exist; model.b depends on model.zz, which does not exist",
			check: func(t *testing.T, err error) {
				var me *MissingParentError
				if !errors.As(err, &me) || len(me.Missing) != 2 || me.Missing[1] != (MissingParent{Child: "model.b", Parent: "model.zz"}) {
					t.Errorf("want *MissingParentError with 2 entries, got %#v", err)
				}
			},
		},
		{
			name:    "duplicate and empty IDs",
			nodes:   []Node{m("model.a"), m("model.b"), m("model.a"), m(""), m("model.a")},
			wantMsg: "1 node(s) with an empty ID; duplicate node ID model.a",
			check: func(t *testing.T, err error) {
				var ie *InvalidNodeError
				if !errors.As(err, &ie) || !slices.Equal(ie.Duplicates, []string{"model.a"}) {
					t.Errorf("want *InvalidNodeError{Duplicates: [model.a]}, got %#v", err)
				}
			},
		},
		{
			name:    "three-cycle",
			nodes:   []Node{m("model.c", "model.b"), m("model.a", "model.c"), m("model.b", "model.a"), m("model.ok")},
			wantMsg: "cycle: model.a -> model.b -> model.c -> model.a",
		},
		{
			name:    "self-loop",
			nodes:   []Node{m("model.x", "model.x"), m("model.y", "model.x")},
			wantMsg: "cycle: model.x -> model.x",
		},
		{
			name: "two disjoint cycles and a node downstream of one",
			nodes: []Node{
				m("model.q", "model.p"), m("model.p", "model.q"),
				m("model.b", "model.a"), m("model.a", "model.b"),
				m("model.down", "model.a"), m("model.root"),
			},
			wantMsg: "cycle: model.a -> model.b -> model.a; cycle: model.p -> model.q -> model.p",
			check: func(t *testing.T, err error) {
				var ce *CycleError
				if !errors.As(err, &ce) || len(ce.Cycles) != 2 || !slices.Equal(ce.Cycles[1].Nodes, []string{"model.p", "model.q"}) {
					t.Errorf("want 2 cycles, second [model.p model.q], got %#v", err)
				}
			},
		},
		{
			// a feeds b and c; each feeds a back: no simple cycle covers
			// all three, so the walk passes through a twice.
			name:    "figure-eight component names every member",
			nodes:   []Node{m("model.a", "model.b", "model.c"), m("model.b", "model.a"), m("model.c", "model.a")},
			wantMsg: "cycle: model.a -> model.b -> model.a -> model.c -> model.a",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			for range 5 { // the message must not depend on input order
				g, err := Build(shuffled(r, tc.nodes))
				if err == nil {
					t.Fatalf("Build succeeded with order %v", g.Order())
				}
				if err.Error() != tc.wantMsg {
					t.Fatalf("error\n%s\nwant\n%s", err, tc.wantMsg)
				}
				if tc.check != nil {
					tc.check(t, err)
				}
			}
		})
	}
}

// TestCycleWalkIsReal checks the walk of a larger random component: every
// step is an edge, it is closed, and it names every member.
func TestCycleWalkIsReal(t *testing.T) {
	nodes := randomDAG(5, 40, 2)
	nodes[0].Parents = []string{nodes[39].ID, nodes[25].ID} // close loops back to the root
	_, err := Build(nodes)
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("want *CycleError, got %v", err)
	}
	parents := map[string][]string{}
	for _, n := range nodes {
		parents[n.ID] = n.Parents
	}
	for _, c := range ce.Cycles {
		p := c.Path
		if p[0] != c.Nodes[0] || p[len(p)-1] != c.Nodes[0] {
			t.Errorf("walk %v does not start and end at %s", p, c.Nodes[0])
		}
		for i := 1; i < len(p); i++ {
			if !slices.Contains(parents[p[i]], p[i-1]) {
				t.Errorf("walk step %s -> %s is not an edge", p[i-1], p[i])
			}
		}
		for _, id := range c.Nodes {
			if !slices.Contains(p, id) {
				t.Errorf("walk %v misses member %s", p, id)
			}
		}
	}
}
