package enginetest

import (
	"os"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
	"github.com/rogpeppe/go-internal/txtar"
)

// Dialects are the SQL generators of each engine, as the CLI uses them
// without connecting, keyed by engine name.
func Dialects() map[string]warehouse.Statements {
	return map[string]warehouse.Statements{"duckdb": dialect.DuckDB(2, 0), "postgres": dialect.Postgres(150000)}
}

// Golden compares got (section name → content) with the txtar archive at
// path, or with update rewrites the archive (keeping its comment). Every
// section must match, and the archive may hold no other section.
func Golden(t *testing.T, path string, got []txtar.File, update bool) {
	t.Helper()
	for i := range got {
		if d := got[i].Data; len(d) > 0 && d[len(d)-1] != '\n' {
			got[i].Data = append(d, '\n')
		}
	}
	a, err := txtar.ParseFile(path)
	if os.IsNotExist(err) && update {
		a = &txtar.Archive{}
	} else if err != nil {
		t.Fatal(err)
	}
	if update {
		a.Files = got
		if err := os.WriteFile(path, txtar.Format(a), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := map[string]string{}
	for _, f := range a.Files {
		want[f.Name] = string(f.Data)
	}
	for _, f := range got {
		w, ok := want[f.Name]
		switch {
		case !ok:
			t.Errorf("%s: no section %s (rerun with -update):\n%s", path, f.Name, f.Data)
		case w != string(f.Data):
			t.Errorf("%s: %s differs (rerun with -update)\n--- got\n%s--- want\n%s", path, f.Name, f.Data, w)
		}
		delete(want, f.Name)
	}
	for name := range want {
		if !strings.HasPrefix(name, "#") {
			t.Errorf("%s: stale section %s (rerun with -update)", path, name)
		}
	}
}
