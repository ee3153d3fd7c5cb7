package project

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/template"
)

// schemaFor is the schema a model, seed or snapshot n is built in, given
// its custom schema ("" = none): dbt's generate_schema_name rule,
// <target schema>_<custom> (see SchemaFor), unless the project defines a
// generate_schema_name macro, which then decides (called with the custom
// schema or none, and the node, as dbt calls it). Its output is trimmed;
// an empty result is an error.
func (p *Project) schemaFor(n *Node, custom string) (string, error) {
	if !p.Engine.HasMacro("generate_schema_name") {
		return SchemaFor(p.Target.Schema, custom), nil
	}
	if p.schemaTpl == nil {
		tpl, err := p.Engine.Parse("<generate_schema_name>", "{{ generate_schema_name(__cdw_custom_schema, __cdw_node) }}")
		if err != nil {
			return "", err
		}
		p.schemaTpl = tpl
	}
	var arg any
	if custom != "" {
		arg = custom
	}
	out, err := p.schemaTpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo(),
		Extra: map[string]any{"__cdw_custom_schema": arg, "__cdw_node": p.nodeInfo(n).Model()}})
	if err != nil {
		return "", fmt.Errorf("generate_schema_name: %w", err)
	}
	schema := strings.TrimSpace(out.SQL)
	if schema == "" {
		return "", fmt.Errorf("generate_schema_name returned an empty schema for %s %s", n.Kind, n.Name)
	}
	return schema, nil
}

// nodeInfo describes n to templates (dbt's `model`, config.get).
func (p *Project) nodeInfo(n *Node) template.NodeInfo {
	cfg := n.Config.Values()
	if n.Kind == KindModel {
		cfg["materialized"] = n.Config.EffectiveMaterialized()
	}
	maps.Copy(cfg, n.extraConfig)
	if n.Config.Schema != "" {
		cfg["schema"] = n.Config.Schema
	}
	return template.NodeInfo{Name: n.Name, ResourceType: n.Kind, Path: n.Path, PackageName: p.Config.Name, Config: cfg}
}

// splitConfig separates a dbt model's config() keys into those cdw
// implements and the others (kept for config.get, ignored otherwise).
func splitConfig(values map[string]any) (known, other map[string]any) {
	known, other = map[string]any{}, map[string]any{}
	keys := config.ModelConfigKeys()
	for k, v := range values {
		if slices.Contains(keys, k) || k == "pre-hook" || k == "post-hook" {
			known[k] = v
		} else {
			other[k] = v
		}
	}
	return known, other
}

// renderDescriptions renders the Jinja in descriptions ({{ doc('x') }},
// as dbt does) of every node and column that has some.
func (p *Project) renderDescriptions() error {
	var probs Problems
	render := func(n *Node, what, text string) string {
		if !strings.Contains(text, "{{") && !strings.Contains(text, "{%") {
			return text
		}
		tpl, err := p.Engine.Parse(n.Path, text)
		if err == nil {
			var out *template.Output
			if out, err = tpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo()}); err == nil {
				return out.SQL
			}
		}
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), n.Path+":"), "1: ")
		probs = append(probs, fmt.Sprintf("%s: description of %s%s %s: %s", n.Path, what, n.Kind, n.Name, msg))
		return text
	}
	for _, id := range sortedIDs(p.Nodes) {
		n := p.Nodes[id]
		n.Description = render(n, "", n.Description)
		for i := range n.Columns {
			n.Columns[i].Description = render(n, "column "+n.Columns[i].Name+" of ", n.Columns[i].Description)
		}
	}
	return errOrNil(probs)
}

func sortedIDs(nodes map[string]*Node) []string {
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
