package cli

import (
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/deploy"
)

func janitorCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name: "janitor",
		Usage: "drop per-PR schemas of an ephemeral environment's target not used for --older-than " +
			"(ages come from the cdw_meta.ephemeral_schemas registry; unregistered schemas are never touched)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "older-than", Value: "7d", Usage: "age since last use, e.g. 7d, 36h"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "list what would be dropped"},
		},
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("janitor takes no arguments")
			}
			age, err := deploy.ParseAge(c.String("older-than"))
			if err != nil {
				return invalidf("--older-than: %v", err)
			}
			w, err := loadWorkspace(c, s)
			if err != nil {
				return err
			}
			if env := w.env.environment; env == nil || !env.Ephemeral {
				return invalidf("target %s belongs to no ephemeral environment; the janitor only cleans per-PR schemas (environments.<name>.ephemeral: true)", w.targetName)
			}
			ctx := c.Context
			w.env.noRegister = true
			a, err := w.open(ctx)
			if err != nil {
				return err
			}
			defer a.Close()
			stale, err := deploy.StaleSchemas(ctx, a, w.env.environment.SchemaPrefix, age, time.Now())
			if err != nil {
				return err
			}
			out := c.App.Writer
			verb := "dropped"
			if c.Bool("dry-run") {
				verb = "would drop"
			}
			for _, st := range stale {
				if !c.Bool("dry-run") {
					if err := deploy.DropStale(ctx, a, st); err != nil {
						return err
					}
				}
				fmt.Fprintf(out, "%s %s (last used %s by %s): schemas %v\n", verb, st.Schema, st.LastUsed.Format("2006-01-02 15:04"), st.Ref, st.Drop)
			}
			fmt.Fprintf(out, "janitor on %s: %s %d stale per-PR schema(s) older than %s\n", w.targetName, verb, len(stale), c.String("older-than"))
			return nil
		},
	}
}
