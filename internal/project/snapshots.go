package project

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Snapshot is a type-2 history of a model, seed or source table, kept by
// `cdw snapshot`.
type Snapshot struct {
	Config config.SnapshotConfig
	// Select is the Jinja select of the snapshotted relation
	// ("select * from {{ source('crm', 'accounts') }}"); compile it with
	// compile.Inline.
	Select string
	// Of is the ID of the snapshotted node.
	Of string
}

var relationArg = regexp.MustCompile(`^\s*(ref|source)\s*\(.*\)\s*$`)

// addSnapshots creates a node per `snapshots:` declaration. Its relation
// must be one ref() or source() of a node in the project.
func (p *Project) addSnapshots(props *config.Properties) error {
	var probs Problems
	for _, d := range props.Snapshots {
		if d.Config.Enabled != nil && !*d.Config.Enabled {
			p.disabled[d.Name] = true
			continue
		}
		pos := d.RelationPos
		if pos.IsZero() {
			pos = d.Pos
		}
		n := &Node{ID: KindSnapshot + "." + d.Name, Kind: KindSnapshot, Name: d.Name, Path: d.Pos.File,
			Description: d.Description, Columns: columns(d.Columns), Tags: d.Config.Tags}
		if prev, taken := p.refTaken(d.Name); taken {
			probs = append(probs, at(d.Pos, fmt.Sprintf("snapshot %q has the name of %s; models, seeds and snapshots share one namespace", d.Name, prev)))
			continue
		}
		if !relationArg.MatchString(d.Relation) {
			probs = append(probs, at(pos, fmt.Sprintf("snapshot %s: relation must be ref('model') or source('source', 'table'), got %q", d.Name, d.Relation)))
			continue
		}
		sel := "select * from {{ " + strings.TrimSpace(d.Relation) + " }}"
		tpl, err := p.Engine.Parse(d.Pos.File, sel)
		if err != nil {
			probs = append(probs, at(pos, fmt.Sprintf("snapshot %s: relation: %v", d.Name, err)))
			continue
		}
		out, err := tpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo(), Resolver: parseResolver{p}})
		if err != nil {
			probs = append(probs, at(pos, fmt.Sprintf("snapshot %s: relation: %s", d.Name, strings.TrimPrefix(err.Error(), d.Pos.File+":1: "))))
			continue
		}
		if len(out.Refs)+len(out.Sources) != 1 {
			probs = append(probs, at(pos, fmt.Sprintf("snapshot %s: relation must name exactly one ref() or source()", d.Name)))
			continue
		}
		snap := &Snapshot{Config: d.Config, Select: sel}
		for _, r := range out.Refs {
			snap.Of, _ = p.refID(r)
		}
		for _, s := range out.Sources {
			snap.Of = sourceID(s[0], s[1])
		}
		n.Parents = []string{snap.Of}
		n.Snapshot = snap
		n.Config = config.ModelConfig{Materialized: "snapshot", Schema: d.Config.Schema, Tags: d.Config.Tags, UniqueKey: d.Config.UniqueKey}
		schema, err := p.schemaFor(n, d.Config.Schema)
		if err != nil {
			probs = append(probs, at(d.Pos, err.Error()))
			continue
		}
		n.Relation = warehouse.Relation{Schema: schema, Name: d.Name}
		n.Raw = sel
		p.Nodes[n.ID] = n
	}
	return errOrNil(probs)
}

// checkSnapshotParents reports snapshots of models that turned out to be
// disabled (known only once models are parsed); they are dropped.
func (p *Project) checkSnapshotParents() error {
	var probs Problems
	for _, n := range p.nodesOfKind(KindSnapshot) {
		if _, ok := p.Nodes[n.Snapshot.Of]; !ok {
			_, name, _ := strings.Cut(n.Snapshot.Of, ".")
			probs = append(probs, fmt.Sprintf("%s: snapshot %s: ref(%q): that model is disabled (enabled: false)", n.Path, n.Name, name))
			delete(p.Nodes, n.ID)
		}
	}
	return errOrNil(probs)
}
