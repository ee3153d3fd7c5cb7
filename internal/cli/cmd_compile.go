package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
)

func compileCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "compile",
		Usage: "render the selected models, snapshots and tests to SQL under target/compiled/ (no warehouse needed)",
		Flags: selectionFlags(),
		Action: func(c *ucli.Context) error {
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			sel, err := selectNodes(c, w, p, map[string]bool{project.KindModel: true, project.KindTest: true, project.KindSnapshot: true})
			if err != nil {
				return err
			}
			ids := sel.ids
			inv := invocation{id: uuid.NewString(), start: time.Now().UTC()}
			opts := compile.Options{RunStartedAt: inv.start, InvocationID: inv.id}
			targetDir := w.path(w.cfg.Paths.Target)
			written, err := compile.WriteAll(targetDir, ids, func(id string) (*compile.Node, error) { return compileNode(p, id, opts) })
			if err != nil {
				return err
			}
			if len(written.Problems) > 0 {
				return invalid(project.Problems(written.Problems))
			}
			if err := w.writeManifest(p, inv); err != nil {
				return err
			}
			rel, _ := filepath.Rel(w.dir, filepath.Join(targetDir, "compiled"))
			fmt.Fprintf(c.App.Writer, "compiled %d node(s) for target %s into %s/\n", len(ids), w.targetName, rel)
			return nil
		},
	}
}

// compileNode renders a model, a test or a snapshot's select.
func compileNode(p *project.Project, id string, opts compile.Options) (*compile.Node, error) {
	n := p.Nodes[id]
	if n.Kind != project.KindSnapshot {
		return compile.Compile(p, id, opts)
	}
	sql, err := compile.Inline(p, n.Snapshot.Select, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Path, err)
	}
	return &compile.Node{ID: id, SQL: sql, File: compile.File(p, n)}, nil
}
