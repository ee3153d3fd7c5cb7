package duckdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// A file named like a schema (cdw.duckdb holding schema cdw) must not make
// "cdw"."t" ambiguous between the catalog and the schema.
func TestFileNamedLikeASchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cdw.duckdb")
	a, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	rel := warehouse.Relation{Schema: "cdw", Name: "t"}
	if _, err := warehouse.BuildTable(ctx, a, rel, "select 1 as x"); err != nil {
		t.Fatalf("BuildTable cdw.t in cdw.duckdb: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The data is in the file: a new adapter sees it.
	b, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	res, err := b.Query(ctx, `select x from "cdw"."t"`, -1)
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int32(1) && res.Rows[0][0] != int64(1) {
		t.Fatalf("reopened: %v %v", res, err)
	}
}

func TestSecondAdapterOnTheSameFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	a, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Exec(ctx, "create table t as select 1 as x"); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatalf("second Open in the same process: %v", err)
	}
	defer b.Close()
	if _, err := b.Query(ctx, "select * from t", -1); err != nil {
		t.Fatalf("second adapter cannot read: %v", err)
	}
}
