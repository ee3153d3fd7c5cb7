package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// This file holds the parts of dbt's Jinja context beyond ref, source,
// config, var and env_var: return(), adapter.dispatch/quote/type, log,
// print, doc, the `model` variable and JSON helpers. Warehouse access
// (run_query, statement, adapter introspection) is in query.go.

// errReturn aborts the rest of a macro's body after return(x); the macro's
// wrapper turns it into the returned value.
var errReturn = errors.New("return() ends a macro; it only works in macros of the macros folders and packages")

// returnFn is dbt's return(x): the calling macro returns x (any value,
// not a string) instead of its rendered text.
func (s *state) returnFn(args *exec.VarArgs) (any, error) {
	var v any
	if len(args.Args) > 0 {
		v = args.Args[0].Interface()
	}
	s.returned, s.retVal = true, v
	return nil, errReturn
}

// wrap makes a macro honour return(): when its body calls return(x), the
// call evaluates to x.
func (s *state) wrap(fn exec.Macro) exec.Macro {
	return func(args *exec.VarArgs) *exec.Value {
		s.returned = false
		out := fn(args)
		if s.returned {
			v := s.retVal
			s.returned, s.retVal = false, nil
			return exec.AsValue(v)
		}
		return out
	}
}

// namespace is a package's (or dbt's) macros: dbt_utils.star(...).
type namespace struct {
	name string
	fns  map[string]exec.Macro
}

func (n namespace) GetAttribute(name string) (*exec.Value, bool) {
	if fn, ok := n.fns[name]; ok {
		return exec.AsValue(fn), true
	}
	return exec.AsValue(fmt.Errorf("%s has no macro %q", n.name, name)), false
}

func (n namespace) String() string { return n.name }

// adapter is dbt's `adapter` object.
type adapter struct{ s *state }

func (a adapter) GetAttribute(name string) (*exec.Value, bool) {
	s := a.s
	switch name {
	case "dispatch":
		return exec.AsValue(s.dispatchFn), true
	case "quote":
		return exec.AsValue(func(id string) string { return quoteIdent(id) }), true
	case "type":
		return exec.AsValue(func() string { return s.ctx.Target.Type }), true
	case "get_columns_in_relation":
		return exec.AsValue(s.columnsIn), true
	case "get_relation":
		return exec.AsValue(s.getRelation), true
	}
	return exec.AsValue(fmt.Errorf("adapter.%s is not supported by cdw", name)), false
}

func quoteIdent(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// dispatchFn is adapter.dispatch(macro_name, macro_namespace=None): the
// macro <target type>__<name> (then postgres__ for Redshift, then
// default__<name>), searched in the namespaces dbt_project.yml's
// dispatch: lists for macro_namespace, else in the root project and then
// macro_namespace.
func (s *state) dispatchFn(args *exec.VarArgs) (any, error) {
	if len(args.Args) < 1 || !args.Args[0].IsString() {
		return nil, s.fail("adapter.dispatch() takes a macro name and an optional macro_namespace")
	}
	name, ns := args.Args[0].String(), ""
	if len(args.Args) > 1 && !args.Args[1].IsNil() {
		ns = args.Args[1].String()
	}
	if v, ok := args.KwArgs["macro_namespace"]; ok && !v.IsNil() {
		ns = v.String()
	}
	order := []string{""}
	if o, ok := s.e.opts.Dispatch[ns]; ok && ns != "" {
		order = o
	} else if ns != "" {
		order = append(order, ns)
	}
	if ns == "" || ns == BuiltinNamespace {
		order = append(order, BuiltinNamespace)
	}
	prefixes := []string{s.ctx.Target.Type + "__"}
	if s.ctx.Target.Type == "redshift" {
		prefixes = append(prefixes, "postgres__")
	}
	prefixes = append(prefixes, "default__")
	var tried []string
	for _, prefix := range prefixes {
		for _, space := range order {
			if space == s.e.opts.ProjectName {
				space = ""
			}
			if fn, ok := s.spaces[space][prefix+name]; ok {
				return fn, nil
			}
		}
		tried = append(tried, prefix+name)
	}
	where := make([]string, len(order))
	for i, sp := range order {
		where[i] = sp
		if sp == "" {
			where[i] = "the project"
		}
	}
	return nil, s.fail("adapter.dispatch(%q): no macro %s in %s", name, strings.Join(tried, ", "), strings.Join(where, ", "))
}

// say sends a message to the engine's log.
func (s *state) say(msg string) {
	if s.e.opts.Log != nil {
		s.e.opts.Log(msg)
	}
}

// log is dbt's log(msg, info=False): with info=True the message is shown.
func (s *state) log(args *exec.VarArgs) string {
	if len(args.Args) == 0 {
		return ""
	}
	info := len(args.Args) > 1 && args.Args[1].IsTrue()
	if v, ok := args.KwArgs["info"]; ok {
		info = v.IsTrue()
	}
	if info {
		s.say(args.Args[0].String())
	}
	return ""
}

// print is Python's print, as dbt exposes it: the arguments, shown.
func (s *state) print(args *exec.VarArgs) string {
	parts := make([]string, len(args.Args))
	for i, a := range args.Args {
		parts[i] = a.String()
	}
	s.say(strings.Join(parts, " "))
	return ""
}

// doc is dbt's doc('name'): the text of a {% docs name %} block.
func (s *state) doc(name string) (string, error) {
	if text, ok := s.e.opts.Docs[name]; ok {
		return text, nil
	}
	names := make([]string, 0, len(s.e.opts.Docs))
	for n := range s.e.opts.Docs {
		names = append(names, n)
	}
	sort.Strings(names)
	known := "no docs blocks are defined"
	if len(names) > 0 {
		known = "docs blocks: " + strings.Join(names, ", ")
	}
	return "", s.fail("doc(%q): no {%% docs %s %%} block in the project's .md files (%s)", name, name, known)
}

// Model is dbt's `model` variable for the node: name, resource_type,
// path, package_name, unique_id and config.
func (n NodeInfo) Model() map[string]any {
	cfg := map[string]any{}
	for k, v := range n.Config {
		cfg[k] = v
	}
	return map[string]any{"name": n.Name, "resource_type": n.ResourceType, "original_file_path": n.Path,
		"path": n.Path, "package_name": n.PackageName, "config": cfg,
		"unique_id": n.ResourceType + "." + n.PackageName + "." + n.Name}
}

// toJSON is dbt's tojson(value).
func (s *state) toJSON(args *exec.VarArgs) (string, error) {
	if len(args.Args) != 1 {
		return "", s.fail("tojson() takes one value")
	}
	v := args.Args[0].ToGoSimpleType(false)
	if err, ok := v.(error); ok {
		return "", s.fail("tojson: %v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", s.fail("tojson: %v", err)
	}
	return string(b), nil
}

// fromJSON is dbt's fromjson(text); whole numbers become integers.
func (s *state) fromJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, s.fail("fromjson: %v", err)
	}
	return jsonNumbers(v), nil
}

// jsonNumbers turns json.Numbers into int64 or float64.
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = jsonNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jsonNumbers(x[k])
		}
	}
	return v
}

// dbt block tags gonja does not know, rewritten to macros before parsing
// (line numbers are kept): {% test name(args) %} defines the generic test
// macro test_<name>, {% materialization name, adapter='x' %} the macro
// materialization_<name>_<x> (cdw does not run custom materializations;
// the rewrite only lets the file load).
var (
	testOpen  = regexp.MustCompile(`(\{%-?\s*)test(\s+)([A-Za-z_][A-Za-z0-9_]*)(\s*\()`)
	testClose = regexp.MustCompile(`(\{%-?\s*)endtest(\s*-?%\})`)
	matOpen   = regexp.MustCompile(`(\{%-?\s*)materialization\s+([A-Za-z_][A-Za-z0-9_]*)\s*,\s*(?:adapter\s*=\s*['"]([A-Za-z0-9_]+)['"]|(default))\s*(-?%\})`)
	matClose  = regexp.MustCompile(`(\{%-?\s*)endmaterialization(\s*-?%\})`)
)

func rewriteBlocks(src string) string {
	if !strings.Contains(src, "test") && !strings.Contains(src, "materialization") {
		return src
	}
	src = testOpen.ReplaceAllString(src, "${1}macro${2}test_${3}${4}")
	src = testClose.ReplaceAllString(src, "${1}endmacro${2}")
	src = matOpen.ReplaceAllString(src, "${1}macro materialization_${2}_${3}${4}() ${5}")
	return matClose.ReplaceAllString(src, "${1}endmacro${2}")
}
