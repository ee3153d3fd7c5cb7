package snapshot

import (
	"flag"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite testdata/statements.txtar")

// TestGoldenStatements pins every statement a snapshot run issues, per
// engine and strategy (the behaviour tests run the same builder on both
// engines). go test ./internal/snapshot -update rewrites the file.
func TestGoldenStatements(t *testing.T) {
	specs := []struct {
		name string
		spec Spec
	}{
		{"timestamp_invalidate", Spec{Strategy: config.SnapshotTimestamp, UniqueKey: []string{"mpxn"}, UpdatedAt: "updated_at", HardDeletes: config.HardDeletesInvalidate}},
		{"check_new_record", Spec{Strategy: config.SnapshotCheck, UniqueKey: []string{"mpxn", "register"}, CheckCols: []string{"tariff", "serial"}, HardDeletes: config.HardDeletesNewRecord}},
	}
	var got []txtar.File
	for _, engine := range enginetest.Engines {
		s := enginetest.Dialects()[engine]
		for _, sp := range specs {
			spec := sp.spec
			spec.Relation = warehouse.Relation{Schema: "history", Name: "meter_points_history"}
			spec.Now = time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC)
			b := &builder{s: s, spec: spec, rel: spec.Relation,
				src: ddl.Beside(s, spec.Relation, suffixSource), chg: ddl.Beside(s, spec.Relation, suffixChanges), del: ddl.Beside(s, spec.Relation, suffixDeleted)}
			src := []warehouse.Column{{Name: "mpxn"}, {Name: "register"}, {Name: "serial"}, {Name: "tariff"}, {Name: "updated_at"}}
			if err := b.resolveColumns(src); err != nil {
				t.Fatal(err)
			}
			snapCols := append(append([]string{}, b.cols...), MetaColumns(spec.HardDeletes)...)
			add := func(stmt, sql string) {
				got = append(got, txtar.File{Name: engine + "/" + sp.name + "/" + stmt + ".sql", Data: []byte(sql)})
			}
			add("1_first_run", b.create())
			add("2_changes", b.changes())
			add("3_deleted", b.deleted())
			add("4_close_changed", b.close(b.chg, "st."+b.q(ColValidFrom)))
			add("5_insert_changes", b.insertChanges())
			add("6_close_deleted", b.close(b.del, b.now()))
			if spec.HardDeletes == config.HardDeletesNewRecord {
				add("7_insert_deletions", b.insertDeletions(snapCols))
			}
		}
	}
	enginetest.Golden(t, "testdata/statements.txtar", got, *update)
}
