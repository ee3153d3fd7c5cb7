package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// seedCommand is `cdw seed`: load the selected CSV files under seeds/
// into tables. Column types come from the seeds' YAML (column_types or a
// column's data_type) and are text otherwise; values are loaded as
// written.
func seedCommand(s *settings) *ucli.Command {
	return kindCommand(s, "seed", "load the selected seeds (CSV files under seeds/) into tables; types from YAML, text otherwise")
}

// kindCommand is a command that runs the selected nodes of one kind
// (seed, snapshot) through the same engine as run/test/build.
func kindCommand(s *settings, name, usage string) *ucli.Command {
	flags := append(selectionFlags(), deferFlags()...)
	flags = append(flags, &ucli.BoolFlag{Name: "fail-fast", Aliases: []string{"x"}, Usage: "stop at the first failure"})
	return &ucli.Command{
		Name: name, Usage: usage, Flags: flags,
		Action: func(c *ucli.Context) error {
			if c.Args().Len() > 0 {
				return invalidf("%s takes no arguments; select nodes with --select", name)
			}
			w, p, err := loadProject(c, s)
			if err != nil {
				return err
			}
			sel, err := selectNodes(c, w, p, commandKinds(name))
			if err != nil {
				return err
			}
			return execute(c, w, p, name, sel, flagsOf(c))
		},
	}
}
