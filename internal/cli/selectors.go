package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/project"
)

// selectors are the project's named selectors (selectors.yml), evaluated
// on demand against the graph.
type selectors struct {
	p           *project.Project
	opts        dag.SelectOptions
	defs        map[string]config.Selector
	defaultName string
	cache       map[string][]string
	busy        map[string]bool
}

func newSelectors(w *workspace, p *project.Project, opts dag.SelectOptions) (*selectors, error) {
	list, err := config.LoadSelectors(w.fsys)
	if err != nil {
		return nil, invalid(err)
	}
	s := &selectors{p: p, opts: opts, defs: map[string]config.Selector{}, cache: map[string][]string{}, busy: map[string]bool{}}
	for _, x := range list {
		s.defs[x.Name] = x
		if x.Default {
			s.defaultName = x.Name
		}
	}
	return s, nil
}

// eval returns the IDs the named selector selects.
func (s *selectors) eval(name string) ([]string, error) {
	if ids, ok := s.cache[name]; ok {
		return ids, nil
	}
	def, ok := s.defs[name]
	if !ok {
		names := make([]string, 0, len(s.defs))
		for n := range s.defs {
			names = append(names, n)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no selector named %q: there is no %s", name, config.SelectorsFile)
		}
		return nil, fmt.Errorf("no selector named %q in %s (%s)", name, config.SelectorsFile, strings.Join(names, ", "))
	}
	if s.busy[name] {
		return nil, fmt.Errorf("selector %q refers to itself", name)
	}
	s.busy[name] = true
	defer delete(s.busy, name)
	ids, err := s.p.Graph.Eval(toExpr(def.Definition), s.opts)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: selector %q: %w", config.SelectorsFile, def.Pos.Line, name, err)
	}
	s.cache[name] = ids
	return ids, nil
}

// method is the selector: selector method.
func (s *selectors) method() dag.Method {
	return dag.Method{
		Validate: func(v string) error { _, err := s.eval(v); return err },
		Match: func(n dag.Node, v string) bool {
			ids, _ := s.eval(v)
			for _, id := range ids {
				if id == n.ID {
					return true
				}
			}
			return false
		},
	}
}

// toExpr turns a selectors.yml definition into a dag expression.
func toExpr(d *config.SelectorDef) dag.Expr {
	e := dag.Expr{Indirect: dag.IndirectMode(d.Indirect)}
	switch {
	case d.Expr != "":
		e.Atom = d.Expr
	case d.Method != "":
		var b strings.Builder
		if d.ChildrensParents {
			b.WriteString("@")
		} else if d.Parents {
			if d.ParentsDepth >= 0 {
				b.WriteString(strconv.Itoa(d.ParentsDepth))
			}
			b.WriteString("+")
		}
		if d.Method != "fqn" {
			b.WriteString(d.Method + ":")
		}
		b.WriteString(d.Value)
		if d.Children && !d.ChildrensParents {
			b.WriteString("+")
			if d.ChildrenDepth >= 0 {
				b.WriteString(strconv.Itoa(d.ChildrenDepth))
			}
		}
		e.Atom = b.String()
	}
	// An element of a union or intersection that is only `exclude:`
	// subtracts from that union or intersection, as in dbt.
	for _, list := range []struct {
		in  []*config.SelectorDef
		out *[]dag.Expr
	}{{d.Union, &e.Union}, {d.Intersection, &e.Intersection}} {
		for _, x := range list.in {
			if x.Expr == "" && x.Method == "" && x.Union == nil && x.Intersection == nil {
				for _, ex := range x.Exclude {
					e.Exclude = append(e.Exclude, toExpr(ex))
				}
				continue
			}
			*list.out = append(*list.out, toExpr(x))
		}
	}
	for _, x := range d.Exclude {
		e.Exclude = append(e.Exclude, toExpr(x))
	}
	if e.Atom == "" && e.Union == nil && e.Intersection == nil {
		// Only exclusions: exclude from everything, as dbt does.
		e.Atom = "*"
	}
	return e
}
