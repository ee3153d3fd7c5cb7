package dag

import "fmt"

// IndirectMode says which tests Select adds because of the nodes they test.
type IndirectMode string

const (
	// IndirectEager adds a test when any of its parents is selected (the
	// default; the zero value means eager too).
	IndirectEager IndirectMode = "eager"
	// IndirectCautious adds a test only when all of its parents are selected.
	IndirectCautious IndirectMode = "cautious"
	// IndirectBuildable adds a test when one of its parents is selected and
	// each other parent is selected, an ancestor of a selected node, or a
	// source.
	IndirectBuildable IndirectMode = "buildable"
	// IndirectEmpty adds no tests.
	IndirectEmpty IndirectMode = "empty"
)

// SelectOptions tune Select.
type SelectOptions struct {
	Indirect IndirectMode // "" means IndirectEager
	// Methods adds selector methods that need knowledge the graph lacks,
	// such as state: (a previous manifest) or result: (a previous run).
	Methods map[string]Method
}

// Method is a caller-supplied selector method.
type Method struct {
	// Validate, if set, checks a value at parse time; its error becomes a
	// *SelectorError.
	Validate func(value string) error
	// Match reports whether node n is matched by value (graph operators
	// are applied afterwards, as for built-in methods).
	Match func(n Node, value string) bool
}

// Select returns the IDs chosen by dbt-style selector expressions, in
// Order(). A nil result means nothing matched, which is not an error.
//
// Each expression is split on whitespace into terms whose results are
// united; a term is split on commas into atoms whose results are
// intersected. An atom is
//
//	[@][N+][method:]value[+N]
//
// where "N+" adds ancestors up to N edges away ("+" alone: all), "+N" adds
// descendants likewise, and "@" adds all descendants plus all ancestors of
// those descendants ("@" with a "+" prefix is an error). Methods:
//
//	(bare)          Node.Name; a bare value containing "/" means path:
//	tag:            any of Node.Tags
//	path:           Node.Path, or any directory above it ("path:models/staging")
//	resource_type:  Node.ResourceType
//	source:         sources by "src" or "src.table"
//	config.<key>:   Config[key] (nested keys with dots); lists match any element
//	test_type:      generic or singular, from a test's Config["test_type"]
//
// Values may use the wildcards *, ? and [...] (path.Match syntax; in paths
// "*" does not cross "/"). Graph operators walk through models, seeds,
// sources and other non-test nodes only: tests are reached by matching them
// directly or by indirect selection, never by "+" or "@" expansion.
//
// No select expressions (or only blank ones) select every node. Exclude
// expressions use the same grammar; a test is excluded when it or any of its
// parents is matched by them. Then, per opts.Indirect, tests that are neither
// selected nor excluded are added according to which of their parents
// survived. Directly selected tests stay selected in every mode.
//
// Errors are *SelectorError (ErrUnknownMethod, ErrMalformedSelector) or an
// unknown opts.Indirect.
func (g *Graph) Select(selectExprs, excludeExprs []string, opts SelectOptions) ([]string, error) {
	mode := opts.Indirect
	if mode == "" {
		mode = IndirectEager
	}
	switch mode {
	case IndirectEager, IndirectCautious, IndirectBuildable, IndirectEmpty:
	default:
		return nil, fmt.Errorf("dag: unknown indirect selection mode %q (want eager, cautious, buildable or empty)", mode)
	}
	include, err := parseExprs(selectExprs, opts.Methods)
	if err != nil {
		return nil, err
	}
	exclude, err := parseExprs(excludeExprs, opts.Methods)
	if err != nil {
		return nil, err
	}

	n := len(g.nodes)
	selected := make([]bool, n)
	if len(include) == 0 {
		for i := range selected {
			selected[i] = true
		}
	} else {
		for _, t := range include {
			or(selected, g.evalTerm(t))
		}
	}
	excluded := make([]bool, n)
	for _, t := range exclude {
		or(excluded, g.evalTerm(t))
	}
	for _, i := range g.tests {
		if !excluded[i] && g.anyIn(g.parents[i], excluded) {
			excluded[i] = true
		}
	}
	for i := range selected {
		if excluded[i] {
			selected[i] = false
		}
	}
	g.addIndirect(mode, selected, excluded)
	return g.inOrder(selected), nil
}

// UnmatchedTerms returns, in input order, the whitespace-separated terms of
// exprs that select no node on their own, so a caller can warn about them.
// It fails like Select on unparsable expressions.
func (g *Graph) UnmatchedTerms(exprs []string, opts SelectOptions) ([]string, error) {
	terms, err := parseExprs(exprs, opts.Methods)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range terms {
		if !anyTrue(g.evalTerm(t)) {
			out = append(out, t.raw)
		}
	}
	return out, nil
}

// addIndirect adds to selected the tests that are not selected or excluded
// and whose parents qualify under mode. Parents are judged against the
// selection before any test is added; tests have no test parents in
// practice, and judging against a fixed set keeps the result order-free.
func (g *Graph) addIndirect(mode IndirectMode, selected, excluded []bool) {
	if mode == IndirectEmpty {
		return
	}
	base := selected
	if mode == IndirectBuildable {
		base = make([]bool, len(g.nodes))
		var seeds []int
		for i, s := range selected {
			if s {
				seeds = append(seeds, i)
			}
		}
		g.reach(seeds, g.parents, -1, false, base)
		for i := range g.nodes {
			if g.nodes[i].ResourceType == ResourceSource {
				base[i] = true
			}
		}
	}
	var add []int
	for _, i := range g.tests {
		ps := g.parents[i]
		if selected[i] || excluded[i] {
			continue
		}
		if !g.anyIn(ps, selected) {
			continue // every mode needs at least one selected parent
		}
		if mode == IndirectEager || g.allIn(ps, base) {
			add = append(add, i)
		}
	}
	for _, i := range add {
		selected[i] = true
	}
}

// evalTerm intersects the atoms of t.
func (g *Graph) evalTerm(t term) []bool {
	var acc []bool
	for k := range t.atoms {
		set := g.evalAtom(&t.atoms[k])
		if acc == nil {
			acc = set
			continue
		}
		for i := range acc {
			acc[i] = acc[i] && set[i]
		}
	}
	return acc
}

// evalAtom matches the method, then applies the graph operators. O(V+E).
func (g *Graph) evalAtom(a *atom) []bool {
	out := make([]bool, len(g.nodes))
	var seeds []int
	for i := range g.nodes {
		if a.matches(&g.nodes[i]) {
			seeds = append(seeds, i)
			out[i] = true
		}
	}
	if len(seeds) == 0 {
		return out
	}
	if a.at {
		down := make([]bool, len(g.nodes))
		g.reach(seeds, g.children, -1, true, down)
		var all []int
		for i, d := range down {
			if d {
				all = append(all, i)
			}
		}
		g.reach(all, g.parents, -1, true, out)
	}
	if a.parents {
		g.reach(seeds, g.parents, a.pDepth, true, out)
	}
	if a.children {
		g.reach(seeds, g.children, a.cDepth, true, out)
	}
	return out
}

func (g *Graph) anyIn(idx []int, set []bool) bool {
	for _, i := range idx {
		if set[i] {
			return true
		}
	}
	return false
}

func (g *Graph) allIn(idx []int, set []bool) bool {
	for _, i := range idx {
		if !set[i] {
			return false
		}
	}
	return true
}

func or(dst, src []bool) {
	for i, s := range src {
		if s {
			dst[i] = true
		}
	}
}

func anyTrue(set []bool) bool {
	for _, s := range set {
		if s {
			return true
		}
	}
	return false
}
