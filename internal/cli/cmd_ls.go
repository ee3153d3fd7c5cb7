package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/state"
)

func lsCommand(s *settings) *ucli.Command {
	flags := append(selectionFlags(),
		&ucli.StringSliceFlag{Name: "resource-type", Usage: "model, seed, snapshot, source, test, unit_test (repeatable)"},
		&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "id", Usage: "id, name, path, relation or json"},
		&ucli.BoolFlag{Name: "why", Usage: "with --state, say why each node counts as modified"},
	)
	return &ucli.Command{
		Name:  "ls",
		Usage: "list the selected nodes in dependency order",
		Flags: flags,
		Action: func(c *ucli.Context) error {
			switch c.String("output") {
			case "id", "name", "path", "relation", "json":
			default:
				return invalidf("--output %q: use id, name, path, relation or json", c.String("output"))
			}
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			all := []string{project.KindModel, project.KindSeed, project.KindSnapshot, project.KindSource, project.KindTest, project.KindUnitTest, project.KindExtractor}
			kinds := map[string]bool{}
			for _, k := range all {
				kinds[k] = true
			}
			if rt := c.StringSlice("resource-type"); len(rt) > 0 {
				kinds = map[string]bool{}
				for _, k := range rt {
					if !slices.Contains(all, k) {
						return invalidf("--resource-type %q: use %s", k, strings.Join(all, ", "))
					}
					kinds[k] = true
				}
			}
			sel, err := selectNodes(c, w, p, kinds)
			if err != nil {
				return err
			}
			if c.Bool("why") {
				if sel.state == nil {
					return invalidf("--why needs --state DIR")
				}
				for _, id := range sel.ids {
					why := sel.state.Why(id)
					if len(why) == 0 {
						why = []string{unmodifiedWhy(p, sel.state, id)}
					}
					fmt.Fprintf(c.App.Writer, "%s: %s\n", id, strings.Join(why, "; "))
				}
				return nil
			}
			return printNodes(c, p, sel.ids, c.String("output"))
		},
	}
}

type lsNode struct {
	ID           string   `json:"unique_id"`
	Name         string   `json:"name"`
	ResourceType string   `json:"resource_type"`
	Path         string   `json:"original_file_path"`
	Relation     string   `json:"relation,omitempty"`
	Materialized string   `json:"materialized,omitempty"`
	Tags         []string `json:"tags"`
	DependsOn    []string `json:"depends_on"`
}

func printNodes(c *ucli.Context, p *project.Project, ids []string, format string) error {
	out := c.App.Writer
	for _, id := range ids {
		n := p.Nodes[id]
		rel := ""
		if n.Kind != project.KindTest {
			rel = n.Relation.String()
		}
		switch format {
		case "id":
			fmt.Fprintln(out, id)
		case "name":
			fmt.Fprintln(out, n.Name)
		case "path":
			fmt.Fprintln(out, n.Path)
		case "relation":
			if rel != "" {
				fmt.Fprintln(out, rel)
			}
		case "json":
			j := lsNode{ID: id, Name: n.Name, ResourceType: n.Kind, Path: n.Path, Relation: rel,
				Tags: nonNil(n.Tags), DependsOn: nonNil(p.Graph.Parents(id))}
			if n.Kind == project.KindModel {
				j.Materialized = n.Config.EffectiveMaterialized()
			}
			b, err := json.Marshal(j)
			if err != nil {
				return err
			}
			fmt.Fprintln(out, string(b))
		default:
			return invalidf("--output %q: use id, name, path, relation or json", format)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// unmodifiedWhy explains an unmodified node in a state selection: the
// modified nodes it is downstream of (a state:modified+ selection), at most
// three named.
func unmodifiedWhy(p *project.Project, st *state.State, id string) string {
	var up []string
	for _, a := range p.Graph.Ancestors(id, -1) {
		if len(st.Why(a)) > 0 {
			up = append(up, a)
		}
	}
	if len(up) == 0 {
		return "unmodified"
	}
	slices.Sort(up)
	more := ""
	if len(up) > 3 {
		more = fmt.Sprintf(" and %d more", len(up)-3)
		up = up[:3]
	}
	return "unmodified, downstream of modified " + strings.Join(up, ", ") + more
}
