package redshift

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txtar golden files")

// recorder is a warehouse.Adapter that executes nothing: it records every
// statement (and transaction boundary) the engine-neutral materializations
// send, answering catalog probes from its fields. It pins the exact SQL
// sequence each materialization produces on Redshift.
type recorder struct {
	d       Dialect
	log     []string
	kinds   map[string]warehouse.Kind // relation → kind; absent: missing
	columns []warehouse.Column
	// columnsOf answers Columns for the relations it names, before columns.
	columnsOf map[string][]warehouse.Column
	depViews  [][]any
}

func (r *recorder) Dialect() warehouse.Dialect { return r.d }
func (r *recorder) DB() *sql.DB                { return nil }
func (r *recorder) Close() error               { return nil }
func (r *recorder) Lock(context.Context, string) (func(), error) {
	return func() {}, nil
}
func (r *recorder) InTx(ctx context.Context, fn func(tx warehouse.Conn) error) error {
	r.log = append(r.log, "-- begin")
	if err := fn(r); err != nil {
		r.log = append(r.log, "-- rollback: "+err.Error())
		return err
	}
	r.log = append(r.log, "-- commit")
	return nil
}
func (r *recorder) Exec(_ context.Context, sql string, args ...any) error {
	r.log = append(r.log, sql)
	return nil
}
func (r *recorder) Query(_ context.Context, sql string, _ int, args ...any) (*warehouse.Result, error) {
	r.log = append(r.log, sql+argsComment(args))
	switch {
	case strings.HasPrefix(sql, "select 1 from pg_namespace"):
		return &warehouse.Result{Rows: [][]any{{int64(1)}}}, nil
	case strings.HasPrefix(sql, "select count(*)"):
		return &warehouse.Result{Rows: [][]any{{int64(3)}}}, nil
	case strings.HasPrefix(sql, "with recursive dependants"):
		return &warehouse.Result{Rows: r.depViews}, nil
	}
	return &warehouse.Result{}, nil
}
func (r *recorder) Columns(_ context.Context, rel warehouse.Relation) ([]warehouse.Column, error) {
	if cols, ok := r.columnsOf[rel.String()]; ok {
		return cols, nil
	}
	return r.columns, nil
}
func (r *recorder) RelationKind(_ context.Context, rel warehouse.Relation) (warehouse.Kind, bool, error) {
	k, ok := r.kinds[rel.String()]
	return k, ok, nil
}
func (r *recorder) BulkLoad(context.Context, warehouse.Relation, []string, warehouse.RowSource) (int64, error) {
	return 0, fmt.Errorf("not recorded")
}

func argsComment(args []any) string {
	if len(args) == 0 {
		return ""
	}
	return fmt.Sprintf("\n-- args: %q", args)
}

// goldenCases renders every statement builder and every materialization.
func goldenCases(t *testing.T) []txtar.File {
	d := Dialect{}
	live := warehouse.Relation{Schema: "analytics", Name: "readings_valid"}
	odd := warehouse.Relation{Schema: `Mixed "Case"`, Name: `my table`}
	delta := warehouse.Relation{Schema: "analytics", Name: "readings_valid__cdw_delta"}
	cols := []string{"mpan_core", "register_id", "read_at", "reading_value"}
	key := []string{"mpan_core", "register_id", "read_at"}
	var files []txtar.File
	add := func(name string, sql ...string) {
		files = append(files, txtar.File{Name: name, Data: []byte(strings.Join(sql, ";\n") + "\n")})
	}
	must := func(stmts []string, err error) []string {
		if err != nil {
			return []string{"ERROR: " + err.Error()}
		}
		return stmts
	}
	add("quote", d.QuoteIdent(`a "b" c`), d.QuoteRelation(odd), d.QuoteString(`it's a \ test`))
	add("create_schema", d.CreateSchema("analytics"))
	q, args := d.SchemaExists(`Mixed "Case"`)
	add("schema_exists", q+argsComment(args))
	add("create_view_late_binding", d.CreateView(live, "select 1 as a;\n", false), d.CreateView(odd, "  select 2 as b  ", true))
	add("create_view_bound", Dialect{BindViews: true}.CreateView(live, "select 1 as a", true))
	add("recreate_captured_view", d.RecreateView(warehouse.ViewDefinition{Relation: live, Query: " SELECT t.a\n   FROM analytics.t;"}), d.DropCaptured(warehouse.ViewDefinition{Relation: live}))
	add("create_table_as", d.CreateTableAs(live, "select * from raw.d0010_readings"))
	add("create_table_as_dist_sort",
		d.CreateTableAsWith(live, "select 1", TableOptions{Dist: "mpan_core", Sort: []string{"mpan_core", "read_at"}}),
		d.CreateTableAsWith(live, "select 1", TableOptions{Dist: "ALL", Sort: []string{"read_at"}, SortType: "interleaved", NoBackup: true}),
		d.CreateTableAsWith(live, "select 1", TableOptions{Dist: "even"}))
	add("drop_rename", d.Drop(live, warehouse.KindTable), d.Drop(odd, warehouse.KindView),
		d.Rename(live, warehouse.KindTable, "readings_valid__cdw_old"), d.Rename(odd, warehouse.KindView, `my "old" table`))
	add("count_insert_clear", d.CountRows(odd), d.InsertSelect(live, cols, delta), d.Clear(delta))
	add("merge", must(d.Merge(live, delta, cols, key))...)
	add("merge_all_key_columns", must(d.Merge(live, delta, key, key))...)
	add("merge_errors", must(d.Merge(live, delta, cols, nil))[0], must(d.Merge(live, delta, []string{"reading_value"}, []string{"mpan_core"}))[0])
	add("duplicate_keys", d.DuplicateKeys(delta, key))
	q, args, _ = d.DependentViews(odd)
	add("dependent_views", q+argsComment(args))
	spec := CopySpec{Columns: []string{"load_id", "mpan_core", "read_at"}, ManifestURL: "s3://cdw-landing/loads/0190/manifest.json", IAMRole: "arn:aws:iam::123456789012:role/cdw-copy"}
	stage := warehouse.Relation{Name: "d0010_readings__cdw_stage"}
	raw := warehouse.Relation{Schema: "raw", Name: "d0010_readings"}
	add("s3_copy_append", must(d.LandStatements(raw, stage, spec, nil))...)
	spec.Region = "eu-west-1"
	add("s3_copy_merge_with_region", must(d.LandStatements(raw, stage, spec, []string{"mpan_core", "read_at"}))...)

	// Materializations through the engine-neutral orchestration.
	ctx := context.Background()
	model := warehouse.Relation{Schema: "cdw", Name: "readings"}
	run := func(name string, r *recorder, fn func(a warehouse.Adapter) error) {
		if err := fn(r); err != nil {
			r.log = append(r.log, "-- ERROR: "+err.Error())
		}
		add(name, r.log...)
	}
	run("materialize_view_new", &recorder{}, func(a warehouse.Adapter) error {
		return warehouse.BuildView(ctx, a, model, "select * from \"cdw\".\"stg\"")
	})
	run("materialize_view_replace", &recorder{kinds: map[string]warehouse.Kind{"cdw.readings": warehouse.KindView}}, func(a warehouse.Adapter) error {
		return warehouse.BuildView(ctx, a, model, "select 2 as b")
	})
	run("materialize_view_over_table", &recorder{kinds: map[string]warehouse.Kind{"cdw.readings": warehouse.KindTable}}, func(a warehouse.Adapter) error {
		return warehouse.BuildView(ctx, a, model, "select 2 as b")
	})
	run("materialize_table_new", &recorder{}, func(a warehouse.Adapter) error {
		_, err := warehouse.BuildTable(ctx, a, model, "select 1 as a")
		return err
	})
	run("materialize_table_swap_with_bound_dependent_view", &recorder{
		kinds:    map[string]warehouse.Kind{"cdw.readings": warehouse.KindTable},
		depViews: [][]any{{"reports", "readings_count", false, "", " SELECT count(*) AS n\n   FROM cdw.readings;"}},
	}, func(a warehouse.Adapter) error {
		_, err := warehouse.BuildTable(ctx, a, model, "select 1 as a")
		return err
	})
	run("materialize_table_with_dist_and_sort_keys", &recorder{
		d:     Dialect{Table: TableOptions{Dist: "mpan_core", Sort: []string{"read_at"}}},
		kinds: map[string]warehouse.Kind{"cdw.readings": warehouse.KindTable},
	}, func(a warehouse.Adapter) error {
		_, err := warehouse.BuildTable(ctx, a, model, "select 1 as mpan_core, now() as read_at")
		return err
	})
	inc := &recorder{kinds: map[string]warehouse.Kind{"cdw.readings": warehouse.KindTable}, columns: []warehouse.Column{{Name: "k"}, {Name: "v"}}}
	run("materialize_incremental_append", inc, func(a warehouse.Adapter) error {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: model, Query: "select 1 as k, 2 as v", Strategy: "append"})
		return err
	})
	inc = &recorder{kinds: inc.kinds, columns: inc.columns}
	run("materialize_incremental_merge", inc, func(a warehouse.Adapter) error {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: model, Query: "select 1 as k, 2 as v", Strategy: "merge", UniqueKey: []string{"k"}})
		return err
	})
	inc = &recorder{kinds: inc.kinds, columns: inc.columns}
	run("materialize_incremental_delete_insert_dedupe", inc, func(a warehouse.Adapter) error {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: model, Query: "select 1 as k, 2 as v", Strategy: "delete+insert",
			UniqueKey: []string{"k"}, DedupeBy: "v desc"})
		return err
	})
	inc = &recorder{kinds: inc.kinds, columns: []warehouse.Column{{Name: "read_at", Type: "timestamp"}, {Name: "v", Type: "integer"}}}
	day := time.Date(2023, 3, 26, 0, 0, 0, 0, time.UTC)
	run("materialize_incremental_microbatch_window", inc, func(a warehouse.Adapter) error {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: model, Query: "select read_at, v from cdw.stg", Strategy: "microbatch",
			Window: &warehouse.Window{Column: "read_at", Start: day, End: day.AddDate(0, 0, 1)}})
		return err
	})
	inc = &recorder{kinds: inc.kinds, columnsOf: map[string][]warehouse.Column{
		"cdw.readings":            {{Name: "k", Type: "integer"}, {Name: "v", Type: "integer"}, {Name: "old", Type: "text"}},
		"cdw.readings__cdw_delta": {{Name: "k", Type: "integer"}, {Name: "v", Type: "numeric(18,3)"}, {Name: "added", Type: "date"}},
	}}
	run("materialize_incremental_sync_all_columns_audited", inc, func(a warehouse.Adapter) error {
		_, err := warehouse.ApplyIncremental(ctx, a, warehouse.IncrementalSpec{Relation: model, Query: "select 1 as k, 2.5 as v, current_date as added", Strategy: "merge",
			UniqueKey: []string{"k"}, OnSchemaChange: "sync_all_columns",
			Audit: func(ctx context.Context, view warehouse.Relation) error { return nil }})
		return err
	})
	return files
}

func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "redshift.txtar")
	got := &txtar.Archive{
		Comment: []byte("Golden SQL of the redshift dialect and of each materialization on it. Rewrite with: go test ./internal/warehouse/redshift -run TestGolden -update\n"),
		Files:   goldenCases(t),
	}
	if *update {
		if err := os.WriteFile(path, txtar.Format(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if len(want.Files) != len(got.Files) {
		t.Errorf("%d sections, golden has %d", len(got.Files), len(want.Files))
	}
	for i, f := range got.Files {
		if i >= len(want.Files) {
			break
		}
		w := want.Files[i]
		if w.Name != f.Name || string(w.Data) != string(f.Data) {
			t.Errorf("section %s differs from golden %s:\n--- got\n%s--- want\n%s", f.Name, w.Name, f.Data, w.Data)
		}
	}
}

func TestTableOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		o   TableOptions
		err string
	}{
		{TableOptions{}, ""},
		{TableOptions{Sort: []string{"a"}, SortType: "INTERLEAVED"}, ""},
		{TableOptions{Sort: []string{"a"}, SortType: "zorder"}, "must be compound or interleaved"},
		{TableOptions{SortType: "compound"}, "without sort columns"},
		{TableOptions{Sort: []string{""}}, "empty sort column"},
	} {
		err := tc.o.Validate()
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.err)
		}
	}
}
