package cli

import (
	"context"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/sample"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func sampleCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "sample",
		Usage: "write deterministic sample input (D0010 flows, half-hourly files) for demos and tests",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Required: true, Usage: "folder to write into"},
			&ucli.Int64Flag{Name: "seed", Value: 1, Usage: "same seed, same files"},
			&ucli.IntFlag{Name: "mpans", Usage: "D0010 meter points (default 40)"},
		},
		Action: func(c *ucli.Context) error {
			sum, err := sample.Generate(c.Context, c.String("out"), sample.Options{Seed: c.Int64("seed"), MPANs: c.Int("mpans")})
			if err != nil {
				return invalid(err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %d files to %s: %d D0010 readings (%d malformed), %d half-hourly intervals (%d malformed) for %d meter points\n",
				len(sum.Files), c.String("out"), sum.D0010Rows, sum.D0010Rejections, sum.HalfHourlyRows, sum.HalfHourlyRejections, len(sum.MPANs))
			return nil
		},
	}
}

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
			fmt.Fprintf(out, "nodes:    %d models, %d sources, %d tests, %d macros\n", counts["model"], counts["source"], counts["test"], len(p.Engine.Macros()))
			ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
			defer cancel()
			a, err := w.open(ctx)
			if err != nil {
				fmt.Fprintf(out, "connection: FAILED: %v\n", err)
				return failed("cannot connect to target " + w.targetName)
			}
			defer a.Close()
			if _, err := a.Query(ctx, "select 1", 1); err != nil {
				fmt.Fprintf(out, "connection: FAILED: %v\n", err)
				return failed("cannot query target " + w.targetName)
			}
			_, migrated, _ := a.RelationKind(ctx, warehouse.Relation{Schema: "raw", Name: "file_registry"})
			fmt.Fprintf(out, "connection: OK (%s)\n", a.Dialect().Name())
			if !migrated {
				fmt.Fprintln(out, "raw schema: not migrated yet; run `cdw migrate up`")
			} else {
				fmt.Fprintln(out, "raw schema: OK")
			}
			return nil
		},
	}
}
