// Package pipeline_test runs cdw's whole pipeline one level below the CLI,
// on real PostgreSQL and DuckDB with the same test bodies: migrations up,
// the project's extractors over real and generated files through
// extract.Runner, the real project loaded with project.Load and built with
// run.Execute and run.Executor, then assertions by query. It is a
// test-only package.
package pipeline_test

import (
	"os"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
