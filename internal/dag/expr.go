package dag

import "fmt"

// Expr is a selection written as a tree, as selectors.yml definitions are:
// exactly one of Atom (a --select expression), Union or Intersection, with
// Exclude subtracting from it. Indirect, if set, overrides the indirect
// selection mode for the whole expression when it is the root.
type Expr struct {
	Atom                         string
	Union, Intersection, Exclude []Expr
	Indirect                     IndirectMode
}

// Eval evaluates e and returns the selected IDs in Order(). Graph operators
// in atoms work as in Select; tests are added at the end by indirect
// selection (e.Indirect, else opts.Indirect), and a test is excluded when
// any Exclude in the tree matches it or one of its parents.
func (g *Graph) Eval(e Expr, opts SelectOptions) ([]string, error) {
	mode := e.Indirect
	if mode == "" {
		mode = opts.Indirect
	}
	if mode == "" {
		mode = IndirectEager
	}
	direct := SelectOptions{Indirect: IndirectEmpty, Methods: opts.Methods}
	excluded := make([]bool, len(g.nodes))
	selected, err := g.evalExpr(e, direct, excluded)
	if err != nil {
		return nil, err
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
	switch mode {
	case IndirectEager, IndirectCautious, IndirectBuildable, IndirectEmpty:
	default:
		return nil, fmt.Errorf("dag: unknown indirect selection mode %q (want eager, cautious, buildable or empty)", mode)
	}
	g.addIndirect(mode, selected, excluded)
	return g.inOrder(selected), nil
}

// evalExpr returns e's selection as a set, recording every exclusion met
// on the way in excluded.
func (g *Graph) evalExpr(e Expr, opts SelectOptions, excluded []bool) ([]bool, error) {
	kinds := 0
	for _, set := range []bool{e.Atom != "", e.Union != nil, e.Intersection != nil} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		return nil, fmt.Errorf("dag: a selection uses exactly one of atom, union or intersection")
	}
	out := make([]bool, len(g.nodes))
	switch {
	case e.Atom != "":
		ids, err := g.Select([]string{e.Atom}, nil, opts)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[g.index[id]] = true
		}
	case e.Union != nil:
		for _, x := range e.Union {
			set, err := g.evalExpr(x, opts, excluded)
			if err != nil {
				return nil, err
			}
			or(out, set)
		}
	case e.Intersection != nil:
		for i := range out {
			out[i] = true
		}
		for _, x := range e.Intersection {
			set, err := g.evalExpr(x, opts, excluded)
			if err != nil {
				return nil, err
			}
			for i := range out {
				out[i] = out[i] && set[i]
			}
		}
	}
	for _, x := range e.Exclude {
		set, err := g.evalExpr(x, opts, excluded)
		if err != nil {
			return nil, err
		}
		or(excluded, set)
		for i := range out {
			if set[i] {
				out[i] = false
			}
		}
	}
	return out, nil
}
