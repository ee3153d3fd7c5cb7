package compile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A project is unchanged only when its key, every input file's content and
// every output on disk are as the last complete compile recorded them;
// touching a file without changing it keeps it unchanged; a file that
// mentions something outside the inputs (env_var, the clock) never is.
func TestScanInputsUnchanged(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "target")
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("project.yml", "name: p\n")
	write("models/a.sql", "select 1 as id\n")
	write("models/sub/b.sql", "select * from {{ ref('a') }}\n")
	write("macros/m.sql", "{% macro m() %}1{% endmacro %}\n")
	write("notes/ignored.txt", "not an input\n")
	in := Inputs{Root: root, Folders: []string{"models", "macros", "tests"}, Key: Key("v1", "target pg")}

	// compileAll stands for a complete compile: it writes the compiled
	// files and the manifest, then records the scan taken before it.
	compileAll := func(s *Scan) {
		t.Helper()
		node := func(id string) (*Node, error) { return &Node{ID: id, SQL: "select 1", File: "p/" + id + ".sql"}, nil }
		if _, err := WriteAll(target, []string{"a", "b"}, node); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(target, "manifest.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Record(2, "manifest.json"); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, in Inputs, want bool) {
		t.Helper()
		s, err := ScanInputs(target, in)
		if err != nil {
			t.Fatal(err)
		}
		n, ok := s.Unchanged()
		if ok != want || (ok && n != 2) {
			t.Fatalf("%s: Unchanged() = %d, %v; want %v", what, n, ok, want)
		}
		if !ok {
			compileAll(s)
		}
	}
	check("no record yet", in, false)
	check("nothing changed", in, true)

	// Rewritten with the same size and given back its old mtime (as an
	// edit within the filesystem's timestamp granularity looks): the
	// record is too recent to trust the stat, so the content is hashed.
	a := filepath.Join(root, "models", "a.sql")
	fi, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	write("models/a.sql", "select 2 as id\n")
	if err := os.Chtimes(a, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	check("a.sql edited within the timestamp granularity", in, false)
	write("models/a.sql", "select 1 as id\n")
	check("a.sql restored", in, false)

	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(root, "models", "a.sql"), later, later); err != nil {
		t.Fatal(err)
	}
	check("a.sql touched, same content", in, true)
	write("notes/ignored.txt", "still not an input\n")
	check("a file outside the inputs changed", in, true)

	write("models/sub/b.sql", "select id from {{ ref('a') }}\n")
	check("b.sql edited", in, false)
	check("after recompiling", in, true)
	write("macros/m.sql", "{% macro m() %}2{% endmacro %}\n")
	check("macro edited", in, false)
	write("project.yml", "name: p\nvars: {x: 1}\n")
	check("project.yml edited", in, false)
	write("models/c.sql", "select 3\n")
	check("model added", in, false)
	if err := os.Remove(filepath.Join(root, "models", "c.sql")); err != nil {
		t.Fatal(err)
	}
	check("model removed", in, false)

	in2 := in
	in2.Key = Key("v1", "target dev")
	check("other key", in2, false)
	check("other key, recompiled", in2, true)

	if err := os.Remove(filepath.Join(target, "compiled", "p", "a.sql")); err != nil {
		t.Fatal(err)
	}
	check("compiled file removed", in2, false)
	if err := os.WriteFile(filepath.Join(target, "manifest.json"), []byte(`{"other": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	check("manifest rewritten by another command", in2, false)

	write("models/d.sql", "select '{{ run_started_at }}' as at\n")
	check("volatile model added", in2, false)
	check("volatile model still there", in2, false)
	Forget(target)
	if err := os.Remove(filepath.Join(root, "models", "d.sql")); err != nil {
		t.Fatal(err)
	}
	check("record forgotten", in2, false)
	check("recorded again", in2, true)
}
