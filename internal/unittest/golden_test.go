package unittest

import (
	"flag"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/enginetest"
)

var update = flag.Bool("update", false, "rewrite testdata/rendered.txtar")

// TestGoldenRendered pins the SQL a unit test runs on DuckDB for each
// model shape: a model over an ephemeral one, an incremental model forced
// into its incremental branch with `this` given, vars and target.type.
func TestGoldenRendered(t *testing.T) {
	p := load(t, `unit_tests:
  - name: through_ephemeral
    model: daily
    given:
      - input: source('raw', 'readings')
        rows: []
    expect: {rows: []}
  - name: incremental_branch
    model: daily
    overrides:
      macros: {is_incremental: true}
    given:
      - input: source('raw', 'readings')
        rows: []
      - input: this
        rows: [{mpxn: a, day: 2024-01-01}]
    expect: {rows: []}
  - name: vars_and_target
    model: meters
    overrides:
      vars: {factor: 3}
    given:
      - input: source('raw', 'readings')
        rows: []
    expect: {rows: []}
`)
	var got []txtar.File
	for _, name := range []string{"through_ephemeral", "incremental_branch", "vars_and_target"} {
		res, err := run(t, p, name, Options{})
		if err != nil || !res.Passed {
			t.Fatalf("%s: %+v %v", name, res, err)
		}
		got = append(got, txtar.File{Name: name + ".sql", Data: []byte(res.SQL)})
	}
	enginetest.Golden(t, "testdata/rendered.txtar", got, *update)
}
