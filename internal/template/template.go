// Package template renders model SQL with Jinja (gonja v2), the way dbt users
// write it: ref, source, config, var, env_var, this, target,
// is_incremental, the project's macros from macros/*.sql, and the rest of
// dbt's Jinja context that dbt projects use (return, adapter.dispatch,
// adapter.quote, run_query, {% call statement %}, log, exceptions, doc,
// installed packages' macros as pkg.macro(); see dbt.go).
//
// The engine is strict: an unknown ref, source, var, macro or variable is an
// error naming the file and line, never an empty string in the SQL.
//
// Rendering is a pure function of the template and its Context: the clock
// (run_started_at), the environment and the warehouse (Context.Query) are
// passed in. An Engine and its Templates are safe for concurrent use; each
// Render builds its own context.
package template

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
)

// BuiltinNamespace is the namespace of the macros cdw provides in dbt's
// place (generate_schema_name and its helpers), as in dbt.
const BuiltinNamespace = "dbt"

// Options configure NewEngine. Every field is optional.
type Options struct {
	// Macros are the root project's macro files (path → source; paths
	// are shown in errors). Their macros are called by name.
	Macros map[string]string
	// Packages are installed packages' macro files: package name → path
	// → source. Their macros are called as package.macro(); a package
	// macro is also callable by its bare name when no root macro and no
	// other package defines that name.
	Packages map[string]map[string]string
	// ProjectName is the root project's name: ref('<project>', 'model')
	// names a root model, project_name renders it, and the root project
	// is searched first by adapter.dispatch.
	ProjectName string
	// Dispatch maps a macro namespace to the packages adapter.dispatch
	// searches for it, in order (dbt_project.yml `dispatch:`).
	Dispatch map[string][]string
	// Docs are the {% docs %} blocks by name, for doc().
	Docs map[string]string
	// TargetExtra adds fields to the `target` variable (database, user,
	// profile_name, ...); Context.Target's fields win.
	TargetExtra map[string]any
	// Log receives what log(msg, info=True), print() and
	// exceptions.warn() say; nil discards it. It may be called from
	// concurrent renders.
	Log func(msg string)
}

// Engine parses templates and holds the project's macros.
type Engine struct {
	cfg    *config.Config
	env    *exec.Environment
	loader *sourceLoader
	opts   Options
	macros map[string]macroDef            // root macros by name
	spaces map[string]map[string]macroDef // namespace (package, dbt) → name → macro
	global map[string]macroDef            // bare names: builtins < unique package macros < root
	names  []string                       // root macro names, sorted
}

type macroDef struct {
	path string
	node *nodes.Macro
}

// New parses the macro files (path → source; paths are shown in errors)
// and returns an engine whose templates can call every macro by name. Two
// macros with the same name are an error naming both files.
func New(macroFiles map[string]string) (*Engine, error) {
	return NewEngine(Options{Macros: macroFiles})
}

// NewEngine parses the macros of opts and returns an engine. Two root
// macros (or two macros of one package) with the same name are an error
// naming both files; a syntax error in any file is an error at its line.
// dbt's {% test %} and {% materialization %} blocks are read as macros
// (test_<name>, materialization_<name>_<adapter>).
func NewEngine(opts Options) (*Engine, error) {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.KeepTrailingNewline = true
	e := &Engine{
		cfg:    cfg,
		loader: newSourceLoader(),
		opts:   opts,
		macros: map[string]macroDef{},
		spaces: map[string]map[string]macroDef{},
		global: map[string]macroDef{},
		env: &exec.Environment{
			Context:           exec.EmptyContext().Update(gonja.DefaultContext),
			Filters:           gonja.DefaultEnvironment.Filters,
			Tests:             gonja.DefaultEnvironment.Tests,
			ControlStructures: controlStructures(),
			Methods:           methods(),
		},
	}
	var errs Errors
	builtins, err := e.parseMacros(map[string]string{"<cdw builtin macros>": builtinMacros})
	if err != nil {
		return nil, err
	}
	e.spaces[BuiltinNamespace] = builtins
	pkgs := make([]string, 0, len(opts.Packages))
	for name := range opts.Packages {
		pkgs = append(pkgs, name)
	}
	sort.Strings(pkgs)
	for _, name := range pkgs {
		defs, err := e.parseMacros(opts.Packages[name])
		if err != nil {
			errs = append(errs, err.(Errors)...)
			continue
		}
		e.spaces[name] = defs
	}
	root, err := e.parseMacros(opts.Macros)
	if err != nil {
		errs = append(errs, err.(Errors)...)
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	e.macros = root
	for name := range root {
		e.names = append(e.names, name)
	}
	sort.Strings(e.names)
	e.spaces[""] = root // the root project, for adapter.dispatch
	if opts.ProjectName != "" {
		e.spaces[opts.ProjectName] = root
	}
	// Bare names: builtins, then package macros no two packages share,
	// then the root project's, each overriding the one before.
	for name, def := range builtins {
		e.global[name] = def
	}
	owners := map[string]int{}
	for _, pkg := range pkgs {
		for name := range e.spaces[pkg] {
			owners[name]++
		}
	}
	for _, pkg := range pkgs {
		for name, def := range e.spaces[pkg] {
			if owners[name] == 1 {
				e.global[name] = def
			}
		}
	}
	for name, def := range root {
		e.global[name] = def
	}
	return e, nil
}

// parseMacros parses macro files and returns their macros by name; a name
// defined twice is an error naming both files.
func (e *Engine) parseMacros(files map[string]string) (map[string]macroDef, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := map[string]macroDef{}
	var errs Errors
	for _, p := range paths {
		t, err := e.parse(p, rewriteBlocks(files[p]))
		if err != nil {
			errs = append(errs, asError(p, err))
			continue
		}
		for name, node := range t.Macros() {
			if prev, dup := out[name]; dup {
				errs = append(errs, &Error{Path: p, Line: node.Position().Line,
					Msg: fmt.Sprintf("macro %q is also defined in %s", name, prev.path)})
				continue
			}
			out[name] = macroDef{path: p, node: node}
		}
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return out, nil
}

// Macros lists the root project's macro names, sorted.
func (e *Engine) Macros() []string { return append([]string(nil), e.names...) }

// HasMacro reports whether a root project macro called name exists.
func (e *Engine) HasMacro(name string) bool {
	_, ok := e.macros[name]
	return ok
}

// Callable reports whether a template can call name: a bare macro name
// (root project, cdw's builtins, a package macro no two packages share)
// or namespace.macro (a package, dbt, or the project's own name).
func (e *Engine) Callable(name string) bool {
	if space, macro, dotted := strings.Cut(name, "."); dotted {
		_, ok := e.spaces[space][macro]
		return ok
	}
	_, ok := e.global[name]
	return ok
}

// Template is a parsed model (or test) file.
type Template struct {
	e    *Engine
	path string
	t    *exec.Template
	node *NodeInfo
}

// NodeInfo is what a template knows about the node it belongs to: dbt's
// `model` variable, and the config that config.get() reads.
type NodeInfo struct {
	Name, ResourceType, Path, PackageName string
	// Config is the node's resolved config by key (materialized, schema,
	// tags, ...).
	Config map[string]any
}

// Parse parses one file. Parse errors carry the path and line.
func (e *Engine) Parse(path, src string) (*Template, error) {
	t, err := e.parse(path, src)
	if err != nil {
		return nil, Errors{asError(path, err)}
	}
	return &Template{e: e, path: path, t: t}, nil
}

func (e *Engine) parse(path, src string) (*exec.Template, error) {
	id := e.loader.add(path, src)
	return exec.NewTemplate(id, e.cfg, e.loader, e.env)
}

// Path is the file the template was parsed from.
func (t *Template) Path() string { return t.path }

// WithNode returns a copy of t that renders as node n: config.get() reads
// n.Config and `model` describes n. t itself is unchanged.
func (t *Template) WithNode(n NodeInfo) *Template {
	c := *t
	c.node = &n
	return &c
}

// Render renders the template in ctx. The error, if any, is Errors naming
// the file and line; nothing is rendered partially.
func (t *Template) Render(ctx Context) (*Output, error) {
	st := newState(t.path, ctx, t.e, t.node)
	var out strings.Builder
	envCtx := t.e.env.Context.Inherit()
	st.install(envCtx)
	r := exec.NewRenderer(&exec.Environment{
		Context:           envCtx,
		Filters:           t.e.env.Filters,
		Tests:             t.e.env.Tests,
		ControlStructures: t.e.env.ControlStructures,
		Methods:           t.e.env.Methods,
	}, &out, t.e.cfg, t.e.loader, t.t)
	if err := st.installMacros(envCtx, r); err != nil {
		return nil, err
	}
	for k, v := range ctx.Extra {
		envCtx.Set(k, v)
	}
	if err := r.Execute(); err != nil {
		if st.err != nil {
			e := *st.err
			if e.Line == 0 {
				e.Line = asError(t.path, err).Line
			}
			return nil, Errors{&e}
		}
		return nil, Errors{asError(t.path, err)}
	}
	if st.err != nil {
		return nil, Errors{st.err}
	}
	return st.output(out.String()), nil
}

// installMacros makes every macro callable in a render: bare names,
// namespaces (package.macro(), dbt.macro(), <project>.macro()), each
// wrapped so that return() works.
func (s *state) installMacros(c *exec.Context, r *exec.Renderer) error {
	e := s.e
	funcs := map[*nodes.Macro]exec.Macro{}
	fn := func(def macroDef) (exec.Macro, error) {
		if f, ok := funcs[def.node]; ok {
			return f, nil
		}
		raw, err := exec.MacroNodeToFunc(def.node, r)
		if err != nil {
			return nil, Errors{{Path: def.path, Line: def.node.Position().Line, Msg: err.Error()}}
		}
		f := s.wrap(raw)
		funcs[def.node] = f
		return f, nil
	}
	s.macros = map[string]exec.Macro{}
	for name, def := range e.global {
		f, err := fn(def)
		if err != nil {
			return err
		}
		s.macros[name] = f
		c.Set(name, f)
	}
	s.spaces = map[string]map[string]exec.Macro{}
	for space, defs := range e.spaces {
		m := make(map[string]exec.Macro, len(defs))
		for name, def := range defs {
			f, err := fn(def)
			if err != nil {
				return err
			}
			m[name] = f
		}
		s.spaces[space] = m
		if _, taken := e.global[space]; !taken && space != "" {
			c.Set(space, namespace{name: space, fns: m})
		}
	}
	return nil
}
