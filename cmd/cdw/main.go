// Command cdw builds the meter point readings warehouse: migrations, file
// extractors, SQL models and data tests on DuckDB or PostgreSQL. Another
// project builds its own cdw the same way, passing its own extractors.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, cli.WithExtractors(extractors.All()...))
	stop()
	os.Exit(code)
}
