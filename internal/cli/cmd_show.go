package cli

import (
	"strings"
	"time"

	"github.com/google/uuid"
	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

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
