package compile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// WriteAll writes every node's file, leaves files whose SQL did not change
// alone on the next run, rewrites what changed (in the project or by hand)
// and reports nodes that fail, in order.
func TestWriteAllSkipsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	sql := map[string]string{}
	var ids []string
	for i := range 50 {
		id := fmt.Sprintf("model.m%02d", i)
		ids = append(ids, id)
		sql[id] = fmt.Sprintf("select %d as id\n\n", i)
	}
	compileNode := func(id string) (*Node, error) {
		s, ok := sql[id]
		if !ok {
			return nil, errors.New(id + ": broken")
		}
		return &Node{ID: id, SQL: s, File: "proj/models/g/" + strings.TrimPrefix(id, "model.") + ".sql"}, nil
	}
	path := func(id string) string {
		return filepath.Join(dir, "compiled", "proj", "models", "g", strings.TrimPrefix(id, "model.")+".sql")
	}
	w, err := WriteAll(dir, ids, compileNode)
	if err != nil {
		t.Fatal(err)
	}
	if w.Nodes != 50 || w.Unchanged != 0 || len(w.Problems) != 0 {
		t.Fatalf("first run: %+v", w)
	}
	if b, _ := os.ReadFile(path("model.m07")); string(b) != "select 7 as id\n" {
		t.Fatalf("m07 holds %q", b)
	}
	stamp := map[string]time.Time{}
	for _, id := range ids {
		fi, err := os.Stat(path(id))
		if err != nil {
			t.Fatal(err)
		}
		stamp[id] = fi.ModTime()
	}
	time.Sleep(20 * time.Millisecond)

	// Unchanged: nothing is written.
	if w, err = WriteAll(dir, ids, compileNode); err != nil || w.Unchanged != 50 {
		t.Fatalf("unchanged run: %+v %v", w, err)
	}
	// One node's SQL changes, one file is edited by hand, one removed,
	// one node fails.
	sql["model.m03"] = "select 33 as id"
	if err := os.WriteFile(path("model.m04"), []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path("model.m05")); err != nil {
		t.Fatal(err)
	}
	delete(sql, "model.m06")
	ids = append(ids, "model.zz")
	w, err = WriteAll(dir, ids, compileNode)
	if err != nil {
		t.Fatal(err)
	}
	if w.Unchanged != 46 || len(w.Problems) != 2 || w.Problems[0] != "model.m06: broken" || w.Problems[1] != "model.zz: broken" {
		t.Fatalf("after changes: %+v", w)
	}
	for id, want := range map[string]string{"model.m03": "select 33 as id\n", "model.m04": "select 4 as id\n", "model.m05": "select 5 as id\n"} {
		if b, _ := os.ReadFile(path(id)); string(b) != want {
			t.Errorf("%s holds %q, want %q", id, b, want)
		}
	}
	for _, id := range []string{"model.m00", "model.m49"} {
		fi, err := os.Stat(path(id))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(stamp[id]) {
			t.Errorf("%s was rewritten though its SQL did not change", id)
		}
	}
}
