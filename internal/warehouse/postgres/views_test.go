package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// PostgreSQL-only view kinds: a materialized view and a view with options
// depending on a rebuilt table are recreated like plain views.
func TestBuildTableRecreatesMaterializedAndOptionedViews(t *testing.T) {
	ctx := context.Background()
	a := open(t, testenv.PostgresURL(t), 4)
	rel := warehouse.Relation{Schema: "marts", Name: "base"}
	if _, err := warehouse.BuildTable(ctx, a, rel, "select x as id from generate_series(1, 3) as g(x)"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"create view marts.barrier with (security_barrier = true) as select id from marts.base where id > 1",
		"create materialized view marts.snap as select count(*) as n from marts.barrier",
		"create view marts.over_snap as select n * 2 as n2 from marts.snap",
	} {
		if err := a.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := warehouse.BuildTable(ctx, a, rel, "select x as id from generate_series(1, 10) as g(x)"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Query(ctx, "select n2 from marts.over_snap", -1)
	if err != nil {
		t.Fatal(err)
	}
	// The materialized view is recreated, hence repopulated from the new table.
	if res.Rows[0][0] != int64(18) {
		t.Errorf("view over recreated materialized view returns %v, want 18", res.Rows[0][0])
	}
	res, err = a.Query(ctx, "select array_to_string(reloptions, ',') from pg_class where oid = 'marts.barrier'::regclass", -1)
	if err != nil {
		t.Fatal(err)
	}
	if opts, _ := res.Rows[0][0].(string); !strings.Contains(opts, "security_barrier=true") {
		t.Errorf("recreated view lost its options: %q", opts)
	}
}

// A second adapter (another pool, as another cdw process would have) is
// excluded by the first one's lock.
func TestLockExcludesAnotherPool(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	a, b := open(t, url, 2), open(t, url, 2)
	unlock, err := a.Lock(ctx, "run")
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(cctx, "run")
		if err == nil {
			u()
		}
		got <- err
	}()
	// b is blocked in pg_advisory_lock; it can only return by cancellation.
	// pg_locks is the whole cluster's: count this test database's only
	// (other packages' tests run beside it).
	const here = "locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())"
	res, err := a.Query(ctx, "select count(*) from pg_locks where "+here+" and not granted", -1)
	for err == nil && res.Rows[0][0] != int64(1) {
		res, err = a.Query(ctx, "select count(*) from pg_locks where "+here+" and not granted", -1)
	}
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-got; err == nil {
		t.Fatal("the second pool got the lock while the first held it")
	}
	unlock()
	u, err := b.Lock(ctx, "run")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	u()
	// Cancellation closed b's waiting connection: no lock request lingers.
	// A closed session's locks go when its server process ends, which the
	// client does not wait for: allow it a few seconds.
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err = a.Query(ctx, "select count(*) from pg_locks where "+here, -1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows[0][0] == int64(0) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v advisory locks remain 5 s after every unlock", res.Rows[0][0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Tables that share dependent views can be rebuilt concurrently (as `cdw
// run --threads N` does): each swap sees the views as the other left them,
// and the two never deadlock over them.
func TestConcurrentBuildTablesSharingViews(t *testing.T) {
	ctx := context.Background()
	a := open(t, testenv.PostgresURL(t), 4)
	tables := []warehouse.Relation{{Schema: "marts", Name: "left_t"}, {Schema: "marts", Name: "right_t"}}
	for _, rel := range tables {
		if _, err := warehouse.BuildTable(ctx, a, rel, "select x as id from generate_series(1, 3) as g(x)"); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 4; i++ {
		if err := a.Exec(ctx, fmt.Sprintf("create view marts.both_%d as select l.id, r.id as rid from marts.left_t l join marts.right_t r using (id)", i)); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 15
	errs := make(chan error, len(tables)*rounds)
	var wg sync.WaitGroup
	for _, rel := range tables {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				_, err := warehouse.BuildTable(ctx, a, rel, fmt.Sprintf("select x as id from generate_series(1, %d) as g(x)", 3+r))
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	res, err := a.Query(ctx, "select count(*) from marts.both_3", -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(3+rounds-1) {
		t.Errorf("view over both rebuilt tables has %v rows, want %d", res.Rows[0][0], 3+rounds-1)
	}
}
