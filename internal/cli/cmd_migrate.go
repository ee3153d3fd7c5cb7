package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/migrate"
)

func migrateCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "migrate",
		Usage: "manage the raw schemas with goose migrations (migrations/)",
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("unknown migrate command %q (up, down, status, create)", c.Args().First())
			}
			return invalidf("migrate needs a command: up, down, status or create NAME")
		},
		Subcommands: []*ucli.Command{
			{Name: "up", Usage: "apply every pending migration", Action: func(c *ucli.Context) error { return migrateRun(c, s, "up") }},
			{Name: "down", Usage: "roll back the last applied migration", Action: func(c *ucli.Context) error { return migrateRun(c, s, "down") }},
			{Name: "status", Usage: "list migrations, applied or pending", Action: func(c *ucli.Context) error { return migrateRun(c, s, "status") }},
			{Name: "create", Usage: "create a new SQL migration file", ArgsUsage: "NAME", Action: func(c *ucli.Context) error {
				if c.Args().Len() != 1 {
					return invalidf("migrate create takes one NAME, e.g. cdw migrate create add_meter_points")
				}
				w, err := loadWorkspace(c, s)
				if err != nil {
					return err
				}
				dir := w.path(w.cfg.Paths.Migrations)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
				p, err := migrate.Create(dir, c.Args().First(), time.Now())
				if err != nil {
					return invalid(err)
				}
				rel, _ := filepath.Rel(w.dir, p)
				fmt.Fprintf(c.App.Writer, "created %s\n", rel)
				return nil
			}},
		},
	}
}

func migrateRun(c *ucli.Context, s *settings, op string) error {
	if c.Args().Len() > 0 {
		return invalidf("migrate %s takes no arguments", op)
	}
	w, err := loadWorkspace(c, s)
	if err != nil {
		return err
	}
	ctx := c.Context
	a, err := w.open(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := migrate.New(a.DB(), a.Dialect().Name(), os.DirFS(w.path(w.cfg.Paths.Migrations)))
	if err != nil {
		return invalid(err)
	}
	out := c.App.Writer
	switch op {
	case "up":
		res, err := m.Up(ctx)
		for _, r := range res {
			fmt.Fprintf(out, "  OK   up    %s  (%s)\n", r.File, r.Duration.Round(time.Millisecond))
		}
		if err != nil {
			return failed(err.Error())
		}
		v, _ := m.Version(ctx)
		if len(res) == 0 {
			fmt.Fprintf(out, "%s: up to date at version %d\n", w.targetName, v)
		} else {
			fmt.Fprintf(out, "%s: applied %d migration(s), now at version %d\n", w.targetName, len(res), v)
		}
	case "down":
		r, err := m.Down(ctx)
		if err != nil {
			return failed(err.Error())
		}
		fmt.Fprintf(out, "  OK   down  %s  (%s)\n", r.File, r.Duration.Round(time.Millisecond))
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		for _, x := range st {
			state := "pending"
			if x.Applied {
				state = "applied " + x.AppliedAt.Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(out, "  %-45s %s\n", x.File, state)
		}
	}
	return nil
}
