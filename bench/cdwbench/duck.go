package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// duckdbCSV is the helper subcommand `duckdb-csv DB CSV TABLE`: it loads a
// headerless CSV into an existing table with DuckDB's own (parallel) CSV
// reader and prints how many rows it loaded. It is DuckDB's best case, the
// reference for cdw's DuckDB load path.
func duckdbCSV(ctx context.Context, args []string) error {
	if len(args) != 3 {
		return errors.New("usage: duckdb-csv DB CSV TABLE")
	}
	db, err := sql.Open("duckdb", args[0])
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf("copy %s from '%s' (format csv, header false)", args[2], strings.ReplaceAll(args[1], "'", "''"))
	res, err := db.ExecContext(ctx, q)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	fmt.Printf("%d rows\n", n)
	return db.Close()
}
