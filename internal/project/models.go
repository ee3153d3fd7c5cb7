package project

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// addModels creates a node per model file, with folder config merged with
// the model's properties YAML config.
func (p *Project) addModels(files map[string]string, props *config.Properties) error {
	var probs Problems
	declared := map[string]*config.ModelDecl{}
	for i := range props.Models {
		declared[props.Models[i].Name] = &props.Models[i]
	}
	// Templates are parsed on several goroutines (Engine.Parse is safe for
	// concurrent use); problems are still reported in path order.
	paths := sortedPaths(files)
	tpls := make([]*template.Template, len(paths))
	errs := make([]error, len(paths))
	parallel(len(paths), func(i int) { tpls[i], errs[i] = p.Engine.Parse(paths[i], files[paths[i]]) })
	byName := map[string]string{}
	for i, path := range paths {
		name := baseName(path)
		if prev, dup := byName[name]; dup {
			probs = append(probs, fmt.Sprintf("%s: model %q is also defined in %s; model names must be unique", path, name, prev))
			continue
		}
		byName[name] = path
		cfg := p.Config.ModelConfig(relTo(path, p.layout.models))
		n := &Node{ID: KindModel + "." + name, Kind: KindModel, Name: name, Path: path}
		n.Raw = files[path]
		if d := declared[name]; d != nil {
			n.Description = d.Description
			n.Columns = columns(d.Columns)
			cfg = cfg.Merge(d.Config)
			delete(declared, name)
		}
		n.Config = cfg
		if errs[i] != nil {
			probs.add(errs[i])
			p.unparsable = true
			continue
		}
		n.Template = tpls[i].WithNode(p.nodeInfo(n))
		p.Nodes[n.ID] = n
	}
	for _, d := range props.Models {
		if declared[d.Name] != nil {
			probs = append(probs, yamlx.Diagnostic{Path: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
				Msg: fmt.Sprintf("model %q is described here but there is no %s.sql under %s/", d.Name, d.Name, strings.Join(p.layout.models, "/, "))}.Error())
		}
	}
	return errOrNil(probs)
}

// parseModels renders every model once with placeholder relations to learn
// its refs, sources and config() call; an incremental model is rendered in
// both branches of is_incremental() so refs in either become edges. Then
// each model's relation is fixed from its final config.
func (p *Project) parseModels() error {
	models := p.nodesOfKind(KindModel)
	errs := make([]error, len(models))
	warnings := make([][]string, len(models))
	parallel(len(models), func(i int) {
		warnings[i], errs[i] = p.parseModel(models[i])
	})
	var probs Problems
	for i, err := range errs {
		probs.add(err)
		p.Warnings = append(p.Warnings, warnings[i]...)
	}
	for _, n := range models {
		if !n.Config.IsEnabled() {
			delete(p.Nodes, n.ID)
			p.disabled[n.Name] = true
			continue
		}
		schema, err := p.schemaFor(n, n.Config.Schema)
		if err != nil {
			probs = append(probs, n.Path+": "+err.Error())
			continue
		}
		n.Relation = warehouse.Relation{Schema: schema, Name: n.Name}
		n.Tags = n.Config.Tags
		n.Template = n.Template.WithNode(p.nodeInfo(n))
	}
	// A ref to a disabled model is an error at the referring model.
	for _, n := range models {
		if _, live := p.Nodes[n.ID]; !live {
			continue
		}
		for _, parent := range n.Parents {
			if _, ok := p.Nodes[parent]; !ok {
				_, name, _ := strings.Cut(parent, ".")
				probs = append(probs, fmt.Sprintf("%s: ref(%q): that model is disabled (enabled: false)", n.Path, name))
			}
		}
	}
	return errOrNil(probs)
}

// parseModel renders n in parse mode and records its config() call and
// parents. In a dbt project, config() keys cdw does not implement are
// returned as warnings (and kept for config.get) instead of failing.
func (p *Project) parseModel(n *Node) ([]string, error) {
	ctx := p.parseContext(n)
	out, err := n.Template.Render(ctx)
	if err != nil {
		return nil, err
	}
	values := out.Config
	var warnings []string
	if p.layout.dbt {
		values, n.extraConfig = splitConfig(out.Config)
		for _, k := range slices.Sorted(maps.Keys(n.extraConfig)) {
			warnings = append(warnings, fmt.Sprintf("%s: config(%s=...): not supported by cdw; ignored", n.Path, k))
		}
	}
	cfg, err := config.ParseModelConfig(values, yamlx.Pos{File: n.Path, Line: 1, Col: 1})
	if err != nil {
		return warnings, err
	}
	n.Config = n.Config.Merge(cfg)
	if msgs := n.Config.Check(); len(msgs) > 0 {
		var probs Problems
		for _, m := range msgs {
			probs = append(probs, n.Path+": "+m)
		}
		return warnings, probs
	}
	refs, srcs := out.Refs, out.Sources
	if n.Config.EffectiveMaterialized() == config.MaterializedIncremental {
		ctx.IsIncremental = true
		out2, err := n.Template.Render(ctx)
		if err != nil {
			return warnings, err
		}
		refs, srcs = append(refs, out2.Refs...), append(srcs, out2.Sources...)
	}
	seen := map[string]bool{}
	for _, r := range refs {
		id, _ := p.refID(r) // the parse resolver accepted it
		if id == n.ID {
			return warnings, fmt.Errorf("%s: model %q refers to itself; use {{ this }} for its own relation", n.Path, n.Name)
		}
		if !seen[id] {
			seen[id] = true
			n.Parents = append(n.Parents, id)
		}
	}
	for _, s := range srcs {
		id := sourceID(s[0], s[1])
		if !seen[id] {
			seen[id] = true
			n.Parents = append(n.Parents, id)
		}
	}
	return warnings, nil
}

// parseContext is the context of a parse-mode render: relations are
// placeholders, and unknown refs and sources are errors.
func (p *Project) parseContext(n *Node) template.Context {
	return template.Context{
		Vars:     p.Vars,
		Env:      p.Env,
		Target:   p.targetInfo(),
		Resolver: parseResolver{p},
		This:     template.Relation{Schema: p.Target.Schema, Name: n.Name, Quoted: p.Dialect.QuoteRelation(warehouse.Relation{Schema: p.Target.Schema, Name: n.Name})},
	}
}

func (p *Project) targetInfo() template.Target {
	return template.Target{Name: p.Target.Name, Type: p.Target.Type, Schema: p.Target.Schema, Threads: p.Target.Threads}
}

// parseResolver knows every model and source but not yet their final
// relations (a model's schema may come from its own config() call).
type parseResolver struct{ p *Project }

func (r parseResolver) Ref(name string) (template.Relation, error) {
	if _, ok := r.p.refID(name); !ok {
		if r.p.disabled[name] {
			return template.Relation{}, fmt.Errorf("ref(%q): that model is disabled (enabled: false)", name)
		}
		return template.Relation{}, fmt.Errorf("ref(%q): no model named %q%s", name, name, r.p.suggestModel(name))
	}
	return template.Relation{Name: name, Quoted: r.p.Dialect.QuoteIdent(name)}, nil
}

func (r parseResolver) Source(src, tbl string) (template.Relation, error) {
	n, err := r.p.source(src, tbl)
	if err != nil {
		return template.Relation{}, err
	}
	return template.Relation{Schema: n.Relation.Schema, Name: n.Relation.Name, Quoted: r.p.Dialect.QuoteRelation(n.Relation)}, nil
}

func (p *Project) nodesOfKind(kind string) []*Node {
	var out []*Node
	for _, n := range p.Nodes {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	sortNodes(out)
	return out
}

func errOrNil(ps Problems) error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

func columns(decls []config.ColumnDecl) []Column {
	out := make([]Column, len(decls))
	for i, c := range decls {
		out[i] = Column{Name: c.Name, Description: c.Description, DataType: c.DataType}
	}
	return out
}
