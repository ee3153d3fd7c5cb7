package ddl_test

import (
	"os"
	"sync"
	"testing"

	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestEnsureSchemaConcurrently: several runs creating cdw_meta at once all
// succeed (engines report conflicts to all but one creator).
func TestEnsureSchemaConcurrently(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = ddl.EnsureSchema(ctx, a, ddl.MetaSchema)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("creator %d: %v", i, err)
			}
		}
		s, _ := ddl.Statements(a)
		rel := warehouse.Relation{Schema: ddl.MetaSchema, Name: "t"}
		cols := []ddl.Column{{Name: "Odd Name", Type: "text"}, {Name: "n", Type: "numeric(6,2)"}}
		for range 2 { // if not exists: the second is a no-op
			enginetest.Exec(t, a, ddl.CreateTable(s, rel, cols, true))
		}
		got, err := a.Columns(ctx, rel)
		if err != nil || len(got) != 2 || got[0].Name != "Odd Name" {
			t.Errorf("columns = %v, %v", got, err)
		}
	})
}

func TestCreateTableSQL(t *testing.T) {
	s := enginetest.Dialects()["postgres"]
	got := ddl.CreateTable(s, warehouse.Relation{Schema: "a", Name: "b"}, []ddl.Column{{Name: `x"y`, Type: "text"}, {Name: "z", Type: "bigint"}}, false)
	if want := `create table "a"."b" ("x""y" text, "z" bigint)`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
