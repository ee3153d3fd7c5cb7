package extracttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/testenv"
)

// sqlTypes maps the column types the raw migrations use to logical types.
var sqlTypes = []struct {
	prefix string
	typ    extract.Type
}{
	{"double precision", extract.Float64},
	{"timestamptz", extract.TimestampTZ},
	{"timestamp", extract.Timestamp},
	{"bigint", extract.Int64},
	{"boolean", extract.Bool},
	{"text", extract.Text},
}

// MigrationColumns reads migrations/<file> under the module root and
// returns the columns of `create table raw.<table> (...)` in order, with
// their logical types. It fails the test if the table is missing or a
// column type is one it does not know.
func MigrationColumns(t testing.TB, file, table string) []extract.Column {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "migrations", file))
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(b), "create table raw."+table+" (")
	if !ok {
		t.Fatalf("%s has no create table raw.%s", file, table)
	}
	body, _, _ = strings.Cut(body, ");")
	var cols []extract.Column
	for _, line := range strings.Split(body, "\n") {
		line, _, _ = strings.Cut(line, "--")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		found := false
		for _, st := range sqlTypes {
			if strings.HasPrefix(rest, st.prefix) {
				cols = append(cols, extract.Column{Name: name, Type: st.typ})
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s: column %s has a type this helper does not know: %q", file, name, rest)
		}
	}
	return cols
}
