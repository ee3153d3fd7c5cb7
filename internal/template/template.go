// Package template renders model SQL with Jinja (gonja v2), the way dbt users
// write it: ref, source, config, var, env_var, this, target,
// is_incremental and the project's macros from macros/*.sql.
//
// The engine is strict: an unknown ref, source, var, macro or variable is an
// error naming the file and line, never an empty string in the SQL.
//
// Rendering is a pure function of the template and its Context: the clock
// (run_started_at) and the environment are passed in. An Engine and its
// Templates are safe for concurrent use; each Render builds its own context.
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

// Engine parses templates and holds the project's macros.
type Engine struct {
	cfg    *config.Config
	env    *exec.Environment
	loader *sourceLoader
	macros map[string]macroDef // by macro name
	names  []string            // macro names, sorted
}

type macroDef struct {
	path string
	node *nodes.Macro
}

// New parses the macro files (path → source; paths are shown in errors)
// and returns an engine whose templates can call every macro by name. Two
// macros with the same name are an error naming both files.
func New(macroFiles map[string]string) (*Engine, error) {
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.KeepTrailingNewline = true
	e := &Engine{
		cfg:    cfg,
		loader: newSourceLoader(),
		macros: map[string]macroDef{},
		env: &exec.Environment{
			Context:           exec.EmptyContext().Update(gonja.DefaultContext),
			Filters:           gonja.DefaultEnvironment.Filters,
			Tests:             gonja.DefaultEnvironment.Tests,
			ControlStructures: gonja.DefaultEnvironment.ControlStructures,
			Methods:           gonja.DefaultEnvironment.Methods,
		},
	}
	paths := make([]string, 0, len(macroFiles))
	for p := range macroFiles {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var errs Errors
	for _, p := range paths {
		t, err := e.parse(p, macroFiles[p])
		if err != nil {
			errs = append(errs, asError(p, err))
			continue
		}
		for name, node := range t.Macros() {
			if prev, dup := e.macros[name]; dup {
				errs = append(errs, &Error{Path: p, Line: node.Position().Line,
					Msg: fmt.Sprintf("macro %q is also defined in %s", name, prev.path)})
				continue
			}
			e.macros[name] = macroDef{path: p, node: node}
			e.names = append(e.names, name)
		}
	}
	sort.Strings(e.names)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return e, nil
}

// Macros lists the macro names the engine knows, sorted.
func (e *Engine) Macros() []string { return append([]string(nil), e.names...) }

// Template is a parsed model (or test) file.
type Template struct {
	e    *Engine
	path string
	t    *exec.Template
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

// Render renders the template in ctx. The error, if any, is Errors naming
// the file and line; nothing is rendered partially.
func (t *Template) Render(ctx Context) (*Output, error) {
	st := newState(t.path, ctx)
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
	for _, name := range t.e.names {
		fn, err := exec.MacroNodeToFunc(t.e.macros[name].node, r)
		if err != nil {
			return nil, Errors{{Path: t.e.macros[name].path, Line: t.e.macros[name].node.Position().Line, Msg: err.Error()}}
		}
		envCtx.Set(name, fn)
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
