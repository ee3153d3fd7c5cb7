package migrate

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
)

// TestConcurrentUpPostgres runs several migrators, each with its own
// connection pool as separate processes would have, against one fresh
// database at once. Without the session lock they would all try to create
// the same tables and all but one would fail; with it each migration is
// applied exactly once and every Up succeeds.
func TestConcurrentUpPostgres(t *testing.T) {
	url := testenv.PostgresURL(t)
	fsys := projectMigrations(t)
	files := migrationFiles(t, fsys)

	const n = 4
	migrators := make([]*Migrator, n)
	for i := range migrators {
		db := openPostgresURL(t, url)
		m, err := New(db, EnginePostgres, fsys, WithLockTimeout(2*time.Minute))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		migrators[i] = m
	}

	// Status creates the version table (one migrator after another) without
	// applying anything. Otherwise goose's retry around a concurrent version
	// table creation would stagger the Up calls and hide a missing lock.
	ctx := context.Background()
	for i, m := range migrators {
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatalf("migrator %d: Status: %v", i, err)
		}
		if len(st) != len(files) || st[0].Applied {
			t.Fatalf("migrator %d: Status before Up = %+v, want all pending", i, st)
		}
	}

	start := make(chan struct{})
	results := make([][]Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, m := range migrators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = m.Up(ctx)
		}()
	}
	close(start)
	wg.Wait()

	applied := map[string]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("migrator %d: Up: %v", i, errs[i])
		}
		for _, r := range results[i] {
			applied[r.File]++
		}
	}
	for _, f := range files {
		if applied[f] != 1 {
			t.Errorf("%s reported applied %d times, want 1", f, applied[f])
		}
	}
	if len(applied) != len(files) {
		t.Errorf("applied %v, want exactly %v", applied, files)
	}

	want := []int64{0}
	for _, f := range files {
		want = append(want, versionOf(t, f))
	}
	got := recordedVersions(t, openPostgresURL(t, url))
	if !slices.Equal(got, want) {
		t.Errorf("version table = %v, want %v", got, want)
	}
}
