package dialect

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txtar golden files")

// goldenCases renders every statement builder with ordinary and awkward
// identifiers. Each case is one section of the golden file.
func goldenCases(d SQL) []txtar.File {
	live := warehouse.Relation{Schema: "analytics", Name: "readings_valid"}
	odd := warehouse.Relation{Schema: `Mixed "Case"`, Name: `my table`}
	bare := warehouse.Relation{Name: "daily"}
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
	add("quote_ident", d.QuoteIdent(`a "b" c`))
	add("quote_relation", d.QuoteRelation(live), d.QuoteRelation(odd), d.QuoteRelation(bare))
	add("quote_string", d.QuoteString(`it's a \ test`))
	add("create_schema", d.CreateSchema("analytics"), d.CreateSchema(`Mixed "Case"`))
	q, args := d.SchemaExists(`Mixed "Case"`)
	add("schema_exists", q, fmt.Sprintf("-- args: %q", args))
	add("create_view", d.CreateView(live, "select 1 as a;\n", false), d.CreateView(odd, "  select 2 as b  ", true))
	add("recreate_view",
		d.RecreateView(warehouse.ViewDefinition{Relation: live, Query: " SELECT t.a\n   FROM analytics.t;"}),
		d.RecreateView(warehouse.ViewDefinition{Relation: odd, Materialized: true, Options: "security_barrier=true", Query: "SELECT 1"}))
	add("drop_captured",
		d.DropCaptured(warehouse.ViewDefinition{Relation: live}),
		d.DropCaptured(warehouse.ViewDefinition{Relation: odd, Materialized: true}))
	add("create_table_as", d.CreateTableAs(live, "select * from raw.d0010_readings"))
	add("drop", d.Drop(live, warehouse.KindTable), d.Drop(odd, warehouse.KindView))
	add("rename", d.Rename(live, warehouse.KindTable, "readings_valid__cdw_old"), d.Rename(odd, warehouse.KindView, `my "old" table`))
	add("count_rows", d.CountRows(odd))
	add("insert_select", d.InsertSelect(live, cols, delta))
	add("merge", must(d.Merge(live, delta, cols, key))...)
	add("merge_all_key_columns", must(d.Merge(live, delta, key, key))...)
	add("merge_awkward", must(d.Merge(odd, delta, []string{`Key "1"`, "value"}, []string{`Key "1"`}))...)
	add("merge_without_key", must(d.Merge(live, delta, cols, nil))...)
	add("merge_key_not_in_columns", must(d.Merge(live, delta, []string{"reading_value"}, []string{"mpan_core"}))...)
	add("duplicate_keys", d.DuplicateKeys(delta, key))
	if q, args, ok := d.DependentViews(odd); ok {
		add("dependent_views", q, fmt.Sprintf("-- args: %q", args))
	} else {
		add("dependent_views", "-- none: views bind by name")
	}
	addIncrementalCases(d, add)
	add("temp_name",
		warehouse.TempName("readings_valid", "__cdw_new", d.MaxIdentifierLength()),
		warehouse.TempName(strings.Repeat("x", 60), "__cdw_new", d.MaxIdentifierLength()),
		warehouse.TempName(strings.Repeat("é", 30), "__cdw_delta", d.MaxIdentifierLength()))
	return files
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		d    SQL
	}{
		{"postgres.txtar", Postgres(150004)},
		{"postgres14.txtar", Postgres(140011)},
		{"duckdb.txtar", DuckDB(2, 0)},
		{"duckdb13.txtar", DuckDB(1, 3)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := &txtar.Archive{
				Comment: []byte("Golden SQL of the " + tc.d.Name() + " dialect. Rewrite with: go test ./internal/warehouse/dialect -update\n"),
				Files:   goldenCases(tc.d),
			}
			path := filepath.Join("testdata", tc.file)
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
			wantByName := map[string]string{}
			for _, f := range want.Files {
				wantByName[f.Name] = string(f.Data)
			}
			for _, f := range got.Files {
				w, ok := wantByName[f.Name]
				if !ok {
					t.Errorf("%s: section %s missing from golden file", path, f.Name)
					continue
				}
				if w != string(f.Data) {
					t.Errorf("%s: section %s differs\n--- got\n%s--- want\n%s", path, f.Name, f.Data, w)
				}
				delete(wantByName, f.Name)
			}
			for name := range wantByName {
				t.Errorf("%s: stale section %s in golden file", path, name)
			}
		})
	}
}

func TestTempNameStaysWithinLimit(t *testing.T) {
	for _, tc := range []struct {
		name, suffix string
		max          int
	}{
		{"short", "__cdw_new", 63},
		{strings.Repeat("a", 54), "__cdw_new", 63},
		{strings.Repeat("a", 55), "__cdw_new", 63},
		{strings.Repeat("ü", 40), "__cdw_delta", 63},
		{strings.Repeat("a", 200), "__cdw_old", 63},
		{"anything", "__cdw_new", 0},
	} {
		got := warehouse.TempName(tc.name, tc.suffix, tc.max)
		if tc.max > 0 && len(got) > tc.max {
			t.Errorf("TempName(%d bytes, %q) = %d bytes, over %d", len(tc.name), tc.suffix, len(got), tc.max)
		}
		if !strings.HasSuffix(got, tc.suffix) {
			t.Errorf("TempName(%q) = %q lacks suffix %q", tc.name, got, tc.suffix)
		}
		if len(tc.name)+len(tc.suffix) <= tc.max || tc.max <= 0 {
			if got != tc.name+tc.suffix {
				t.Errorf("TempName(%q) = %q, want plain concatenation", tc.name, got)
			}
		}
	}
	a := warehouse.TempName(strings.Repeat("a", 60)+"1", "__cdw_new", 63)
	b := warehouse.TempName(strings.Repeat("a", 60)+"2", "__cdw_new", 63)
	if a == b {
		t.Errorf("two long names sharing a prefix map to the same temp name %q", a)
	}
}

func TestSameIdentifier(t *testing.T) {
	if !DuckDB(2, 0).SameIdentifier("Reading", "reading") {
		t.Error("duckdb: Reading and reading should be the same column")
	}
	if Postgres(150000).SameIdentifier("Reading", "reading") {
		t.Error("postgres: Reading and reading are different columns")
	}
}
