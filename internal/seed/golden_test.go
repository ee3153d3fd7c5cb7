package seed

import (
	"flag"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/statements.txtar")

// TestGoldenStatements pins the staging table and the typed select of a
// seed per engine (TestLoad runs them on both engines).
func TestGoldenStatements(t *testing.T) {
	cols := []Column{{Name: "code", Type: "text"}, {Name: "factor", Type: "numeric(6,2)", Declared: true}, {Name: "Since", Type: "date", Declared: true}}
	rel := warehouse.Relation{Schema: "cdw_reference", Name: "reading_types"}
	var got []txtar.File
	for _, engine := range enginetest.Engines {
		s := enginetest.Dialects()[engine]
		staging := ddl.Beside(s, rel, stagingSuffix)
		text := make([]ddl.Column, len(cols))
		for i, c := range cols {
			text[i] = ddl.Column{Name: c.Name, Type: DefaultType}
		}
		got = append(got,
			txtar.File{Name: engine + "/staging.sql", Data: []byte(ddl.CreateTable(s, staging, text, false))},
			txtar.File{Name: engine + "/typed_select.sql", Data: []byte(TypedSelect(s, staging, cols))})
	}
	enginetest.Golden(t, "testdata/statements.txtar", got, *update)
}
