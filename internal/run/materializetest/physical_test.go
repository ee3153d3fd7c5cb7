package materializetest

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
)

// physicalSpy is a DuckDB adapter that claims physical table options, as
// Redshift has, and records what models asked for.
type physicalSpy struct {
	warehouse.Adapter
	mu   sync.Mutex
	seen []warehouse.PhysicalOptions
}

func (s *physicalSpy) WithPhysical(o warehouse.PhysicalOptions) (warehouse.Adapter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, o)
	return s.Adapter, nil
}

func TestModelConfigReachesPhysicalOptions(t *testing.T) {
	a, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(t.TempDir(), "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	spy := &physicalSpy{Adapter: a}
	p := load(t, spy, map[string]string{
		"project.yml": projectYML(""),
		"models/keyed.sql": "{{ config(materialized='table', dist='account_id', sort=['account_id', 'read_at'], sort_type='interleaved', backup=false) }}" +
			"select 1 as account_id, current_date as read_at",
		"models/plain.sql": "{{ config(materialized='table') }}select 1 as x",
	})
	mustSucceed(t, "build", runAt(t, spy, p, plan(p, false), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), nil))
	want := []warehouse.PhysicalOptions{{Dist: "account_id", Sort: []string{"account_id", "read_at"}, SortType: "interleaved", NoBackup: true}}
	if !reflect.DeepEqual(spy.seen, want) {
		t.Fatalf("physical options %+v, want %+v (and none for the plain model)", spy.seen, want)
	}
}
