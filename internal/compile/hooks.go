package compile

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/project"
)

// Hooks are a model's rendered pre_hook and post_hook statements.
type Hooks struct {
	Pre, Post []string
}

// ModelHooks renders the pre_hook and post_hook statements of model id
// with the model's context: `this` is its relation and is_incremental()
// is as given. Each hook is a template named <model path>#pre_hook[N]
// (1-based) in errors. Hooks are rendered, not parsed, at load, so a ref()
// in a hook does not add a dependency. Empty results are dropped.
func ModelHooks(p *project.Project, id string, opts Options, incremental bool) (Hooks, error) {
	n, ok := p.Nodes[id]
	if !ok || n.Kind != project.KindModel {
		return Hooks{}, fmt.Errorf("compile: no model %s", id)
	}
	var h Hooks
	var err error
	if h.Pre, err = renderHooks(p, n, n.Config.PreHook, "pre_hook", opts, incremental); err != nil {
		return Hooks{}, err
	}
	if h.Post, err = renderHooks(p, n, n.Config.PostHook, "post_hook", opts, incremental); err != nil {
		return Hooks{}, err
	}
	return h, nil
}

// RunHooks renders project.yml's on-run-start or on-run-end statements
// (which names them in errors: project.yml#on-run-start[N]). They see the
// target, vars, run_started_at and invocation_id, and may use ref() and
// source(); there is no `this`.
func RunHooks(p *project.Project, which string, hooks []string, opts Options) ([]string, error) {
	return renderHooks(p, nil, hooks, which, opts, false)
}

func renderHooks(p *project.Project, n *project.Node, hooks []string, which string, opts Options, incremental bool) ([]string, error) {
	var out []string
	for i, src := range hooks {
		name := fmt.Sprintf("project.yml#%s[%d]", which, i+1)
		if n != nil {
			name = fmt.Sprintf("%s#%s[%d]", n.Path, which, i+1)
		}
		tpl, err := p.Engine.Parse(name, src)
		if err != nil {
			return nil, err
		}
		in := newInliner(p, opts)
		res, err := tpl.Render(in.context(n, incremental))
		if err != nil {
			return nil, err
		}
		if sql := strings.TrimSpace(in.inject(res.SQL)); sql != "" {
			out = append(out, sql)
		}
	}
	return out, nil
}
