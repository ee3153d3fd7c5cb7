package template

import (
	"fmt"
	"reflect"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// dbt macros build lists in loops:
//
//	{% set cols = [] %}{% for c in x %}{% do cols.append(c) %}{% endfor %}
//
// In Jinja the loop appends to the one list `cols` names. In gonja a loop
// body is a scope of its own and a method call rebinds the name in that
// scope, so the list outside the loop would stay empty. cdw therefore
// keeps a list assigned with {% set %} behind a pointer (gonja reads a
// pointer to a slice as the list), so every scope shares one list, and
// its list methods change that list in place.

// controlStructureNames are gonja's control structures, all kept but set.
var controlStructureNames = []string{"autoescape", "block", "extends", "filter", "for", "from", "if", "import",
	"include", "macro", "raw", "with", "do", "break", "continue", "trans", "call"}

// controlStructures are gonja's, with set wrapped.
func controlStructures() *exec.ControlStructureSet {
	all := map[string]parser.ControlStructureParser{}
	for _, name := range controlStructureNames {
		if p, ok := gonja.DefaultEnvironment.ControlStructures.Get(name); ok {
			all[name] = p
		}
	}
	inner, _ := gonja.DefaultEnvironment.ControlStructures.Get("set")
	all["set"] = func(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
		var name string
		if t := args.Current(); t != nil && t.Type == tokens.Name {
			name = t.Val
		}
		cs, err := inner(p, args)
		if err != nil {
			return nil, err
		}
		return &sharedListSet{ControlStructure: cs, name: name}, nil
	}
	return exec.NewControlStructureSet(all)
}

// sharedListSet is {% set name = ... %}: when the value is a list, the
// name is bound to a pointer to it.
type sharedListSet struct {
	nodes.ControlStructure
	name string
}

// Execute runs the set, then shares a list value.
func (s *sharedListSet) Execute(r *exec.Renderer, tag *nodes.ControlStructureBlock) error {
	inner, ok := s.ControlStructure.(interface {
		Execute(*exec.Renderer, *nodes.ControlStructureBlock) error
	})
	if !ok {
		return fmt.Errorf("set: cannot execute %s", s.ControlStructure)
	}
	if err := inner.Execute(r, tag); err != nil {
		return err
	}
	if s.name == "" {
		return nil
	}
	v, found := r.Environment.Context.Get(s.name)
	if !found {
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		list := make([]any, rv.Len())
		for i := range list {
			list[i] = rv.Index(i).Interface()
		}
		r.Environment.Context.Set(s.name, &list)
	}
	return nil
}

// methods are gonja's, with list methods that change a shared list in
// place (and work on plain lists as before).
func methods() exec.Methods {
	m := gonja.DefaultEnvironment.Methods
	m.List = exec.NewMethodSet(map[string]exec.Method[[]any]{
		"append": func(_ []any, self *exec.Value, args *exec.VarArgs) (any, error) {
			if len(args.Args) != 1 || len(args.KwArgs) > 0 {
				return nil, exec.ErrInvalidCall(fmt.Errorf("append() takes one value"))
			}
			return nil, changeList(self, func(l []any) []any { return append(l, args.Args[0].Interface()) })
		},
		"extend": func(_ []any, self *exec.Value, args *exec.VarArgs) (any, error) {
			if len(args.Args) != 1 || !args.Args[0].IsList() {
				return nil, exec.ErrInvalidCall(fmt.Errorf("extend() takes one list"))
			}
			more, _ := args.Args[0].ToGoSimpleType(false).([]any)
			return nil, changeList(self, func(l []any) []any { return append(l, more...) })
		},
		"pop": func(items []any, self *exec.Value, args *exec.VarArgs) (any, error) {
			if len(items) == 0 {
				return nil, fmt.Errorf("pop from an empty list")
			}
			i := len(items) - 1
			if len(args.Args) == 1 && args.Args[0].IsInteger() {
				i = args.Args[0].Integer()
				if i < 0 {
					i += len(items)
				}
			}
			if i < 0 || i >= len(items) {
				return nil, fmt.Errorf("pop index out of range")
			}
			out := items[i]
			return out, changeList(self, func(l []any) []any { return append(l[:i:i], l[i+1:]...) })
		},
		"reverse": func(_ []any, self *exec.Value, _ *exec.VarArgs) (any, error) {
			return nil, changeList(self, func(l []any) []any {
				out := make([]any, len(l))
				for i, v := range l {
					out[len(l)-1-i] = v
				}
				return out
			})
		},
		"copy": func(items []any, _ *exec.Value, _ *exec.VarArgs) (any, error) {
			return append([]any(nil), items...), nil
		},
		"index": func(items []any, _ *exec.Value, args *exec.VarArgs) (any, error) {
			if len(args.Args) != 1 {
				return nil, exec.ErrInvalidCall(fmt.Errorf("index() takes one value"))
			}
			for i, v := range items {
				if args.Args[0].EqualValueTo(exec.AsValue(v)) {
					return i, nil
				}
			}
			return nil, fmt.Errorf("%s is not in the list", args.Args[0].String())
		},
		"count": func(items []any, _ *exec.Value, args *exec.VarArgs) (any, error) {
			if len(args.Args) != 1 {
				return nil, exec.ErrInvalidCall(fmt.Errorf("count() takes one value"))
			}
			n := 0
			for _, v := range items {
				if args.Args[0].EqualValueTo(exec.AsValue(v)) {
					n++
				}
			}
			return n, nil
		},
	})
	return m
}

// changeList applies change to the list self holds: in place when self is
// a shared list, else by rebinding self to the changed copy.
func changeList(self *exec.Value, change func([]any) []any) error {
	if self.Val.Kind() == reflect.Pointer {
		if p, ok := self.Val.Interface().(*[]any); ok {
			*p = change(*p)
			return nil
		}
	}
	items, ok := self.ToGoSimpleType(false).([]any)
	if !ok {
		return fmt.Errorf("not a list")
	}
	*self = *exec.AsValue(change(items))
	return nil
}
