package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// unbuiltParents returns the models, seeds and snapshots that the selected
// nodes read (directly, or through ephemeral models) which are neither
// selected nor present on the target, with their own unbuilt parents, in
// the project's order. Sources are never added: extractors land them.
// SQLMesh calls this auto-upstream; without it a first `--select readings+`
// fails on every descendant that also reads an unbuilt model.
func unbuiltParents(ctx context.Context, a warehouse.Adapter, p *project.Project, selected map[string]bool) ([]string, error) {
	checked := map[string]bool{}
	add := map[string]bool{}
	var visit func(id string) error
	visit = func(id string) error {
		for _, parent := range p.Graph.Parents(id) {
			if selected[parent] || checked[parent] {
				continue
			}
			checked[parent] = true
			n := p.Nodes[parent]
			switch {
			case n.Kind == project.KindModel && n.Config.EffectiveMaterialized() == config.MaterializedEphemeral:
				if err := visit(parent); err != nil { // inlined: its parents are read
					return err
				}
			case n.Kind == project.KindModel || n.Kind == project.KindSeed || n.Kind == project.KindSnapshot:
				_, built, err := a.RelationKind(ctx, n.Relation)
				if err != nil {
					return fmt.Errorf("checking whether %s is built: %w", n.Relation, err)
				}
				if !built {
					add[parent] = true
					if err := visit(parent); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	for _, id := range p.Graph.Order() {
		if selected[id] && p.Nodes[id].Kind != project.KindTest && p.Nodes[id].Kind != project.KindUnitTest {
			if err := visit(id); err != nil {
				return nil, err
			}
		}
	}
	var out []string
	for _, id := range p.Graph.Order() {
		if add[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// withUnbuiltParents adds unbuiltParents to sel and says so on out.
func withUnbuiltParents(ctx context.Context, out io.Writer, a warehouse.Adapter, p *project.Project, sel *selection, target string) error {
	extra, err := unbuiltParents(ctx, a, p, sel.set)
	if err != nil || len(extra) == 0 {
		return err
	}
	names := make([]string, len(extra))
	for i, id := range extra {
		names[i] = p.Nodes[id].Name
		sel.set[id] = true
	}
	sel.ids = append(extra, sel.ids...)
	fmt.Fprintf(out, "auto-upstream: %d unselected parent(s) not built on %s yet, built first: %s (--no-auto-upstream: leave them out)\n",
		len(extra), target, strings.Join(names, ", "))
	return nil
}
