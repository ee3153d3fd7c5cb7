package cli

import (
	"encoding/json"
	"fmt"
	"os"
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
			w, err := loadWorkspace(c, s)
			if err != nil {
				return err
			}
			targetDir := w.path(w.cfg.Paths.Target)
			scan := w.compileInputs(c, targetDir)
			if scan != nil {
				if n, ok := scan.Unchanged(); ok {
					rel, _ := filepath.Rel(w.dir, filepath.Join(targetDir, "compiled"))
					fmt.Fprintf(c.App.Writer, "compiled %d node(s) for target %s into %s/\n", n, w.targetName, rel)
					return nil
				}
				compile.Forget(targetDir)
			}
			p, err := w.project()
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
			if scan != nil {
				// Only a shortcut for the next compile: failing to record it
				// costs that compile a full load.
				_ = scan.Record(len(ids), "manifest.json")
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

// compileInputs scans what a compile of the whole project reads, so an
// unchanged project is not loaded and rendered again (see
// compile.ScanInputs). It is nil, and every compile complete, for a dbt
// project, with a selection or --state, or when the scan fails.
func (w *workspace) compileInputs(c *ucli.Context, targetDir string) *compile.Scan {
	folders, ok := project.InputFolders(w.cfg)
	if !ok || len(c.StringSlice("select")) > 0 || len(c.StringSlice("exclude")) > 0 || c.String("selector") != "" || c.String("state") != "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil
	}
	parts := []string{w.s.version, exe, fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()), w.targetName, c.String("indirect-selection")}
	for _, v := range []any{w.target, w.vars, w.cfg.Vars, w.env.environment} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil
		}
		parts = append(parts, string(b))
	}
	scan, err := compile.ScanInputs(targetDir, compile.Inputs{Root: w.dir, Folders: folders, Key: compile.Key(parts...)})
	if err != nil {
		return nil
	}
	return scan
}
