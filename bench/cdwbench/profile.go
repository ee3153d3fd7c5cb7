package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/cli"
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

// profileCDW is the helper subcommand `profile-cdw`: it runs a cdw
// command in this process (the same cli.Main and extractors as the cdw
// binary) under a CPU profile, in the current folder, so a slow case of
// any benchmark can be explained:
//
//	cdwbench profile-cdw -cpuprofile OUT [-memprofile OUT] -- compile
//	go tool pprof -top -cum cdwbench OUT
func profileCDW(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("profile-cdw", flag.ContinueOnError)
	out := fs.String("cpuprofile", "", "where to write the CPU profile")
	mem := fs.String("memprofile", "", "where to write a heap profile at the end (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("need -cpuprofile and a cdw command after --")
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	code := cli.Main(ctx, append([]string{"cdw"}, fs.Args()...), os.Stdin, os.Stdout, os.Stderr, cli.WithExtractors(extractors.All()...))
	pprof.StopCPUProfile()
	if *mem != "" {
		mf, err := os.Create(*mem)
		if err != nil {
			return err
		}
		defer mf.Close()
		if err := pprof.WriteHeapProfile(mf); err != nil {
			return err
		}
	}
	if code != 0 {
		return fmt.Errorf("cdw %v exited %d", fs.Args(), code)
	}
	return nil
}
