package config

import (
	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// expander copies the project.yml tree, expanding environment references
// in string values. The values of the top-level targets: and extractors:
// keys are kept as is (not copied, not expanded): they are expanded lazily
// by Target and Extractor, so a variable only one target or extractor
// needs is only required when that one is used.
// Copying instead of editing in place means a value is expanded exactly
// once even when aliases share it, and targets that alias an anchor from
// elsewhere still see the unexpanded text.
type expander struct {
	d    *yamlx.Decoder
	env  func(string) (string, bool)
	memo map[*yaml.Node]*yaml.Node
}

// copyProject copies the root mapping of project.yml.
func (e *expander) copyProject(root *yaml.Node) *yaml.Node {
	if root.Kind != yaml.MappingNode {
		return e.copy(root, "")
	}
	out := *root
	out.Content = make([]*yaml.Node, len(root.Content))
	e.memo[root] = &out
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		out.Content[i] = k
		if k.Kind == yaml.ScalarNode && (k.Value == "targets" || k.Value == "extractors") {
			out.Content[i+1] = v
			continue
		}
		out.Content[i+1] = e.copy(v, k.Value)
	}
	return &out
}

// copy returns an expanded copy of n; field is its key path, for messages.
func (e *expander) copy(n *yaml.Node, field string) *yaml.Node {
	if n == nil {
		return nil
	}
	if c, ok := e.memo[n]; ok {
		return c
	}
	out := *n
	e.memo[n] = &out
	switch n.Kind {
	case yaml.AliasNode:
		out.Alias = e.copy(n.Alias, field)
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" && hasEnvRef(n.Value) {
			text, problems := expandEnv(n.Value, e.env, true)
			for _, p := range problems {
				e.d.Report(n, field, p)
			}
			out.Value, out.Tag = text, "!!str"
		}
	case yaml.MappingNode:
		out.Content = make([]*yaml.Node, len(n.Content))
		for i := 0; i+1 < len(n.Content); i += 2 {
			out.Content[i] = n.Content[i] // keys are never expanded
			out.Content[i+1] = e.copy(n.Content[i+1], yamlx.Field(field, n.Content[i].Value))
		}
		if len(n.Content)%2 == 1 {
			out.Content[len(n.Content)-1] = n.Content[len(n.Content)-1]
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		out.Content = make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			out.Content[i] = e.copy(c, yamlx.Elem(field, i))
		}
	}
	return &out
}
