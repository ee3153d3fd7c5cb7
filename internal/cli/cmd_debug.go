package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// debugCommand is `cdw debug`: the project loads, the resolved (redacted)
// target, the node counts, the connection and the raw schema's state.
func debugCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "debug",
		Usage: "check the project, the target and the connection",
		Action: func(c *ucli.Context) error {
			out := c.App.Writer
			w, err := loadWorkspace(c, s)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "project:  %s (%s)\n", w.cfg.Name, w.dir)
			fmt.Fprintf(out, "target:   %s\n", w.target.Redacted())
			p, err := w.project()
			if err != nil {
				return err
			}
			counts := map[string]int{}
			for _, n := range p.Nodes {
				counts[n.Kind]++
			}
			fmt.Fprintf(out, "nodes:    %d models, %d seeds, %d snapshots, %d sources, %d tests, %d unit tests, %d macros\n",
				counts[project.KindModel], counts[project.KindSeed], counts[project.KindSnapshot], counts[project.KindSource],
				counts[project.KindTest], counts[project.KindUnitTest], len(p.Engine.Macros()))
			ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
			defer cancel()
			a, err := w.open(ctx)
			if err != nil {
				fmt.Fprintf(out, "connection: FAILED: %v\n", err)
				var ee *exitError
				if errors.As(err, &ee) && ee.code == ExitInvalid {
					return err // refused (the prod guard) or misconfigured: exit 2 as every command
				}
				return failed("cannot connect to target " + w.targetName)
			}
			defer a.Close()
			if _, err := a.Query(ctx, "select 1", 1); err != nil {
				fmt.Fprintf(out, "connection: FAILED: %v\n", err)
				return failed("cannot query target " + w.targetName)
			}
			fmt.Fprintf(out, "connection: OK (%s)\n", a.Dialect().Name())
			if _, err := fs.Stat(w.fsys, w.cfg.Paths.Migrations); err != nil {
				return nil // no migrations (a dbt project): no raw schema of cdw's to check
			}
			if _, migrated, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "raw", Name: "file_registry"}); !migrated {
				fmt.Fprintln(out, "raw schema: not migrated yet; run `cdw migrate up`")
			} else {
				fmt.Fprintln(out, "raw schema: OK")
			}
			return nil
		},
	}
}
