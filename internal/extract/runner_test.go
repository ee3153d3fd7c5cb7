package extract_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/migrate"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// kv is a tiny line format for tests: a header line "KV", then "key=value"
// lines, then "END". A line without "=" is rejected; a missing END is a
// structure error; "PANIC-SINK" makes the extractor fail after emitting.
type kv struct{}

func (kv) Name() string { return "kv" }
func (kv) Streams() []extract.Stream {
	return []extract.Stream{{Table: "kv_rows", Columns: []extract.Column{
		{Name: "load_id", Type: extract.Text}, {Name: "file_name", Type: extract.Text},
		{Name: "line_no", Type: extract.Int64}, {Name: "k", Type: extract.Text}, {Name: "v", Type: extract.Int64},
	}}}
}
func (kv) Match(name string, head []byte) bool { return strings.HasPrefix(string(head), "KV\n") }
func (kv) ExtractFile(ctx context.Context, f extract.File, sink extract.Sink) error {
	sc := bufio.NewScanner(f.Body)
	var line int64
	row := make([]any, 5)
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case line == 1:
			continue
		case text == "END":
			return nil
		case text == "FAIL":
			return fmt.Errorf("kv: told to fail at line %d", line)
		}
		k, v, ok := strings.Cut(text, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			if err := sink.Reject(extract.Rejection{Line: line, Raw: text, Reason: "not key=integer"}); err != nil {
				return err
			}
			continue
		}
		row[0], row[1], row[2], row[3], row[4] = f.LoadID, f.Name, line, k, n
		if err := sink.Row("kv_rows", row); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return &extract.StructureError{Line: line, Reason: "no END: truncated file"}
}

type engine struct {
	name string
	open func(t *testing.T) warehouse.Adapter
}

func engines() []engine {
	return []engine{
		{"duckdb", func(t *testing.T) warehouse.Adapter {
			a, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(t.TempDir(), "db.duckdb")})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		}},
		{"postgres", func(t *testing.T) warehouse.Adapter {
			a, err := postgres.Open(context.Background(), postgres.Options{URL: testenv.PostgresURL(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		}},
	}
}

// setup migrates the project's raw schema and adds the kv test table.
func setup(t *testing.T, a warehouse.Adapter) *extract.Runner {
	t.Helper()
	ctx := context.Background()
	m, err := migrate.New(a.DB(), a.Dialect().Name(), os.DirFS(filepath.Join(testenv.RepoRoot(t), "migrations")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Exec(ctx, "create table raw.kv_rows (load_id text, file_name text, line_no bigint, k text, v bigint)"); err != nil {
		t.Fatal(err)
	}
	n := 0
	r, err := extract.NewRunner(a, "raw", []extract.Extractor{kv{}},
		extract.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }),
		extract.WithLoadIDs(func() string { n++; return fmt.Sprintf("load-%d", n) }))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func count(t *testing.T, a warehouse.Adapter, sql string) int64 {
	t.Helper()
	r, err := a.Query(context.Background(), sql, -1)
	if err != nil {
		t.Fatal(err)
	}
	return r.Rows[0][0].(int64)
}

func runDir(t *testing.T, r *extract.Runner, dir string) []extract.FileResult {
	t.Helper()
	es, err := r.Select(nil)
	if err != nil {
		t.Fatal(err)
	}
	jobs, _, err := r.Plan(dir, es)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunnerLandsQuarantinesAndIsIdempotent(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			a := e.open(t)
			r := setup(t, a)
			dir := t.TempDir()
			write(t, dir, "a.kv", "KV\nx=1\ny=2\nbroken line\nz=3\nEND\n")
			write(t, dir, "sub/b.kv", "KV\nw=10\nEND\n")
			write(t, dir, "notes.txt", "not for any extractor\n")
			write(t, dir, ".hidden.kv", "KV\nh=1\nEND\n")

			res := runDir(t, r, dir)
			if len(res) != 2 {
				t.Fatalf("%d results, want 2 (hidden and unclaimed files are not jobs): %+v", len(res), res)
			}
			if res[0].Status != extract.StatusLoaded || res[0].Rows != 3 || res[0].Rejected != 1 {
				t.Fatalf("a.kv: %+v", res[0])
			}
			if res[1].Status != extract.StatusLoaded || res[1].Rows != 1 || res[1].Rejected != 0 {
				t.Fatalf("b.kv: %+v", res[1])
			}
			if n := count(t, a, "select count(*) from raw.kv_rows"); n != 4 {
				t.Fatalf("kv_rows = %d, want 4", n)
			}
			rej, err := a.Query(context.Background(), "select load_id, extractor, file_name, line_no, raw_text, reason from raw.rejected_records", -1)
			if err != nil {
				t.Fatal(err)
			}
			want := "[[load-1 kv a.kv 4 broken line not key=integer]]"
			if got := fmt.Sprint(rej.Rows); got != want {
				t.Fatalf("rejected_records = %s, want %s", got, want)
			}
			reg, err := a.Query(context.Background(), "select file_name, rows_loaded, rows_rejected, load_id from raw.file_registry order by file_name", -1)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(reg.Rows); got != "[[a.kv 3 1 load-1] [b.kv 1 0 load-2]]" {
				t.Fatalf("file_registry = %s", got)
			}

			// The same folder again: nothing new.
			again := runDir(t, r, dir)
			for _, x := range again {
				if x.Status != extract.StatusSkipped {
					t.Fatalf("second run: %+v, want skipped", x)
				}
			}
			// The same content under another name: skipped, and says as what.
			write(t, dir, "copy-of-a.kv", "KV\nx=1\ny=2\nbroken line\nz=3\nEND\n")
			third := runDir(t, r, dir)
			var copyRes *extract.FileResult
			for i := range third {
				if filepath.Base(third[i].Path) == "copy-of-a.kv" {
					copyRes = &third[i]
				}
			}
			if copyRes == nil || copyRes.Status != extract.StatusSkipped || copyRes.LoadedAs != "a.kv" {
				t.Fatalf("renamed copy: %+v", copyRes)
			}
			if n := count(t, a, "select count(*) from raw.kv_rows"); n != 4 {
				t.Fatalf("kv_rows after reruns = %d, want 4", n)
			}
			if n := count(t, a, "select count(*) from raw.rejected_records"); n != 1 {
				t.Fatalf("rejected_records after reruns = %d, want 1", n)
			}
			// Changed content under the same name is a new load.
			write(t, dir, "a.kv", "KV\nx=1\ny=2\nz=3\nq=4\nEND\n")
			fourth := runDir(t, r, dir)
			if fourth[0].Status != extract.StatusLoaded || fourth[0].Rows != 4 {
				t.Fatalf("changed a.kv: %+v", fourth[0])
			}
		})
	}
}

func TestRunnerKeepsNothingFromABrokenOrFailingFile(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			a := e.open(t)
			r := setup(t, a)
			dir := t.TempDir()
			write(t, dir, "1-truncated.kv", "KV\nx=1\nbad\ny=2\n")
			res := runDir(t, r, dir)
			if res[0].Status != extract.StatusFailed || !extract.IsStructureError(res[0].Err) {
				t.Fatalf("truncated: %+v", res[0])
			}
			if !strings.Contains(res[0].Err.Error(), "no END") {
				t.Fatalf("error %q does not say why", res[0].Err)
			}
			for _, tbl := range []string{"raw.kv_rows", "raw.rejected_records", "raw.file_registry"} {
				if n := count(t, a, "select count(*) from "+tbl); n != 0 {
					t.Fatalf("%s has %d rows after a broken file, want 0", tbl, n)
				}
			}
			// A file fixed afterwards loads.
			write(t, dir, "1-truncated.kv", "KV\nx=1\nbad\ny=2\nEND\n")
			res = runDir(t, r, dir)
			if res[0].Status != extract.StatusLoaded || res[0].Rows != 2 || res[0].Rejected != 1 {
				t.Fatalf("fixed file: %+v", res[0])
			}

			// An extractor error that is not about structure stops the run
			// and rolls the file back.
			write(t, dir, "2-fails.kv", "KV\nx=1\nFAIL\n")
			es, _ := r.Select(nil)
			jobs, _, err := r.Plan(filepath.Join(dir, "2-fails.kv"), es)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Run(context.Background(), jobs)
			if err == nil || !strings.Contains(err.Error(), "told to fail") {
				t.Fatalf("err = %v, want the extractor's error", err)
			}
			if n := count(t, a, "select count(*) from raw.kv_rows"); n != 2 {
				t.Fatalf("kv_rows = %d after a failed file, want 2", n)
			}
		})
	}
}

func TestRunnerStreamsManyRows(t *testing.T) {
	const rows = 150_000 // several pipe batches
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			a := e.open(t)
			r := setup(t, a)
			var b strings.Builder
			b.WriteString("KV\n")
			var sum int64
			for i := range rows {
				fmt.Fprintf(&b, "k%d=%d\n", i, i)
				sum += int64(i)
			}
			b.WriteString("END\n")
			p := write(t, t.TempDir(), "big.kv", b.String())
			res := runDir(t, r, p)
			if res[0].Rows != rows {
				t.Fatalf("loaded %d rows, want %d", res[0].Rows, rows)
			}
			got := count(t, a, "select cast(sum(v) as bigint) from raw.kv_rows")
			if got != sum {
				t.Fatalf("sum(v) = %d, want %d: rows were lost or repeated between batches", got, sum)
			}
			if n := count(t, a, "select count(distinct line_no) from raw.kv_rows"); n != rows {
				t.Fatalf("%d distinct lines, want %d", n, rows)
			}
		})
	}
}

func TestRunnerChecksTablesAndPlans(t *testing.T) {
	a := engines()[0].open(t)
	ctx := context.Background()
	r, err := extract.NewRunner(a, "raw", []extract.Extractor{kv{}})
	if err != nil {
		t.Fatal(err)
	}
	es, _ := r.Select(nil)
	if err := r.CheckTables(ctx, es); err == nil || !strings.Contains(err.Error(), "run `cdw migrate up`") {
		t.Fatalf("CheckTables before migrating: %v", err)
	}
	r = setup(t, a)
	if err := a.Exec(ctx, "alter table raw.kv_rows drop column v"); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckTables(ctx, es); err == nil || !strings.Contains(err.Error(), "lacks column(s) v") {
		t.Fatalf("CheckTables with a missing column: %v", err)
	}
	if _, err := r.Select([]string{"kv", "nope"}); err == nil || !strings.Contains(err.Error(), `unknown extractor nope (known: kv)`) {
		t.Fatalf("Select unknown: %v", err)
	}
	p := write(t, t.TempDir(), "x.txt", "hello\n")
	if _, _, err := r.Plan(p, es); err == nil || !strings.Contains(err.Error(), "not a file that kv can read") {
		t.Fatalf("Plan of an unclaimed file: %v", err)
	}
	if _, _, err := r.Plan(filepath.Join(t.TempDir(), "missing"), es); err == nil {
		t.Fatal("Plan of a missing path: no error")
	}
}
