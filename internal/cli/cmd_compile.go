package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func compileCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "compile",
		Usage: "render the selected models and tests to SQL under target/compiled/ (no warehouse needed)",
		Flags: selectionFlags(),
		Action: func(c *ucli.Context) error {
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			ids, err := selectNodes(c, p, map[string]bool{project.KindModel: true, project.KindTest: true})
			if err != nil {
				return err
			}
			opts := compile.Options{RunStartedAt: time.Now().UTC(), InvocationID: uuid.NewString()}
			targetDir := w.path(w.cfg.Paths.Target)
			var problems project.Problems
			for _, id := range ids {
				n, err := compile.Compile(p, id, opts)
				if err != nil {
					problems = append(problems, err.Error())
					continue
				}
				dst := filepath.Join(targetDir, filepath.FromSlash(n.File))
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(dst, []byte(strings.TrimRight(n.SQL, "\n")+"\n"), 0o644); err != nil {
					return err
				}
			}
			if len(problems) > 0 {
				return invalid(problems)
			}
			rel, _ := filepath.Rel(w.dir, filepath.Join(targetDir, "compiled"))
			fmt.Fprintf(c.App.Writer, "compiled %d node(s) for target %s into %s/\n", len(ids), w.targetName, rel)
			return nil
		},
	}
}

func lsCommand(s *settings) *ucli.Command {
	flags := append(selectionFlags(),
		&ucli.StringSliceFlag{Name: "resource-type", Usage: "model, test, source (repeatable)"},
		&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "id", Usage: "id, name, path, relation or json"},
	)
	return &ucli.Command{
		Name:  "ls",
		Usage: "list the selected nodes in dependency order",
		Flags: flags,
		Action: func(c *ucli.Context) error {
			_, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			kinds := map[string]bool{project.KindModel: true, project.KindTest: true, project.KindSource: true}
			if rt := c.StringSlice("resource-type"); len(rt) > 0 {
				kinds = map[string]bool{}
				for _, k := range rt {
					if k != project.KindModel && k != project.KindTest && k != project.KindSource {
						return invalidf("--resource-type %q: use model, test or source", k)
					}
					kinds[k] = true
				}
			}
			ids, err := selectNodes(c, p, kinds)
			if err != nil {
				return err
			}
			return printNodes(c, p, ids, c.String("output"))
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

func showCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "show",
		Usage: "compile and run a query (or preview a model) and print its rows",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "inline", Usage: "SQL to run; may use {{ ref('x') }}, {{ source('a', 'b') }}, macros"},
			&ucli.StringFlag{Name: "select", Aliases: []string{"s"}, Usage: "a model to preview (its built relation)"},
			&ucli.IntFlag{Name: "limit", Value: 10, Usage: "rows to show (0: all)"},
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "table, csv or json"},
		},
		Action: func(c *ucli.Context) error {
			inline, model := c.String("inline"), c.String("select")
			if (inline == "") == (model == "") {
				return invalidf("show needs exactly one of --inline SQL or --select MODEL")
			}
			switch c.String("output") {
			case "table", "csv", "json":
			default:
				return invalidf("--output %q: use table, csv or json", c.String("output"))
			}
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			sql := inline
			if model != "" {
				sql = "select * from {{ ref('" + strings.ReplaceAll(model, "'", "") + "') }}"
			}
			compiled, err := compile.Inline(p, sql, compile.Options{RunStartedAt: time.Now().UTC(), InvocationID: uuid.NewString()})
			if err != nil {
				return invalid(err)
			}
			ctx := c.Context
			a, err := w.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			limit := c.Int("limit")
			if limit <= 0 {
				limit = -1
			}
			res, err := a.Query(ctx, strings.TrimRight(strings.TrimSpace(compiled), ";"), limit)
			if err != nil {
				return failed(err.Error())
			}
			return printResult(c, res)
		},
	}
}

func printResult(c *ucli.Context, res *warehouse.Result) error {
	switch c.String("output") {
	case "csv":
		return writeCSV(c.App.Writer, res)
	case "json":
		return writeJSON(c.App.Writer, res)
	}
	writeTable(c.App.Writer, res, "")
	return nil
}
