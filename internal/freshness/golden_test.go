package freshness

import (
	"flag"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/queries.txtar")

// TestGoldenQueries pins the freshness query per engine (TestMeasure runs
// it on both engines).
func TestGoldenQueries(t *testing.T) {
	rel := warehouse.Relation{Schema: "raw", Name: "d0010_readings"}
	var got []txtar.File
	for _, engine := range enginetest.Engines {
		d := enginetest.Dialects()[engine]
		got = append(got,
			txtar.File{Name: engine + "/plain.sql", Data: []byte(SQL(d, Check{Relation: rel, LoadedAtField: "loaded_at"}))},
			txtar.File{Name: engine + "/filtered.sql", Data: []byte(SQL(d, Check{Relation: rel, LoadedAtField: "cast(read_at as timestamp)",
				Freshness: config.FreshnessDecl{Filter: "reading_type = 'A'"}}))})
	}
	enginetest.Golden(t, "testdata/queries.txtar", got, *update)
}
