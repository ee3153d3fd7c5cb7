package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// profileExtract is the helper subcommand `profile-extract`: it lands one
// file the way `cdw extract` does (same Runner, extractors and adapters)
// under a CPU profile, so BENCHMARKS.md can say where the time goes.
//
//	cdwbench profile-extract -pg URL | -duckdb FILE -file PATH -cpuprofile OUT
func profileExtract(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("profile-extract", flag.ContinueOnError)
	pgURL := fs.String("pg", "", "PostgreSQL URL (a migrated database)")
	duck := fs.String("duckdb", "", "DuckDB file (migrated)")
	file := fs.String("file", "", "the file to land")
	out := fs.String("cpuprofile", "", "where to write the CPU profile")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *out == "" || (*pgURL == "") == (*duck == "") {
		return errors.New("need -file, -cpuprofile and one of -pg, -duckdb")
	}
	var a warehouse.Adapter
	var err error
	if *pgURL != "" {
		a, err = postgres.Open(ctx, postgres.Options{URL: *pgURL})
	} else {
		a, err = duckdb.Open(ctx, duckdb.Options{Path: *duck})
	}
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := extract.NewRunner(a, "raw", extractors.All())
	if err != nil {
		return err
	}
	chosen, err := r.Select(nil)
	if err != nil {
		return err
	}
	jobs, _, err := r.Plan(*file, chosen)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	res, err := r.Run(ctx, jobs)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	for _, x := range res {
		fmt.Printf("%s: %s, %d rows\n", x.Path, x.Status, x.Rows)
	}
	return nil
}
