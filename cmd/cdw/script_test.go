package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cdw-dev/cdw/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestScripts runs testdata/script/*.txtar on the default target (DuckDB):
// commands that need no particular warehouse, and every way a user can
// invoke cdw wrongly or break the project.
func TestScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script", duckdbEngine()))
}

// TestPipelineDuckDB runs the warehouse scripts, testdata/pipeline/*.txtar,
// on the local target (embedded DuckDB).
func TestPipelineDuckDB(t *testing.T) {
	testscript.Run(t, params(t, "testdata/pipeline", duckdbEngine()))
}

// TestPipelinePostgres runs the same scripts on the dev target, each against
// a fresh PostgreSQL database of its own. Without a PostgreSQL server the
// test is skipped, except under CI=true, where it fails.
func TestPipelinePostgres(t *testing.T) {
	testenv.PostgresURL(t) // skip (or fail under CI) now rather than once per script
	testscript.Run(t, params(t, "testdata/pipeline", postgresEngine()))
}
