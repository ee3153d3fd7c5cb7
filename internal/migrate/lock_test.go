package migrate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

func lockFS() fstest.MapFS {
	return fstest.MapFS{
		"00001_a.sql": {Data: []byte("-- +goose Up\ncreate table a (x int);\n-- +goose Down\ndrop table a;\n")},
		"00002_b.sql": {Data: []byte("-- +goose Up\ncreate table b (x int);\n-- +goose Down\ndrop table b;\n")},
	}
}

func TestRedshiftEngineConstructs(t *testing.T) {
	db := openPostgres(t) // New does not touch the database
	for _, opts := range [][]Option{nil, {WithLock(func(context.Context) (func(), error) { return func() {}, nil })}} {
		m, err := New(db, EngineRedshift, lockFS(), opts...)
		if err != nil || m.Engine() != EngineRedshift {
			t.Fatalf("redshift: %v", err)
		}
	}
	if _, err := New(db, EngineRedshift, lockFS(), WithLock(nil)); err == nil {
		t.Fatal("nil lock func accepted")
	}
}

// TestTableLockerExcludes runs Redshift's default migration lock (LOCK on
// a table of cdw's own) on PostgreSQL, where LOCK behaves alike: a second
// locker waits until the first unlocks, and migrations run under it.
func TestTableLockerExcludes(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	first := newTableLocker()
	if err := first.Lock(ctx, db); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := newTableLocker().Lock(short, db); err == nil {
		t.Fatal("second locker got a held lock")
	}
	got := make(chan error, 1)
	second := newTableLocker()
	go func() { got <- second.Lock(ctx, db) }()
	if err := first.Unlock(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if err := second.Unlock(ctx, db); err != nil || second.Unlock(ctx, db) != nil {
		t.Fatalf("unlock twice: %v", err)
	}
	l := newTableLocker()
	m, err := New(db, EnginePostgres, lockFS(), WithLock(func(ctx context.Context) (func(), error) {
		if err := l.Lock(ctx, db); err != nil {
			return nil, err
		}
		return func() { l.Unlock(ctx, db) }, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Up(ctx); err != nil || len(res) != 2 {
		t.Fatalf("Up under the table lock: %v %v", res, err)
	}
}

// TestWithLockSerialisesMigrators runs two migrators concurrently on one
// PostgreSQL database with a lock of the caller's (as Redshift does) in
// place of goose's advisory lock: every operation holds it, and each
// migration is applied once.
func TestWithLockSerialisesMigrators(t *testing.T) {
	db := openPostgres(t)
	var mu sync.Mutex
	var holders, maxHolders, taken, waiting atomic.Int32
	lockFn := func(ctx context.Context) (func(), error) {
		waiting.Add(1)
		mu.Lock()
		taken.Add(1)
		if n := holders.Add(1); n > maxHolders.Load() {
			maxHolders.Store(n)
		}
		return func() { holders.Add(-1); mu.Unlock() }, nil
	}
	// Hold the lock until both migrators wait for it, so both must pass
	// through it.
	mu.Lock()
	var wg sync.WaitGroup
	applied := make([]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		m, err := New(db, EnginePostgres, lockFS(), WithLock(lockFn))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := m.Up(context.Background())
			applied[i], errs[i] = len(res), err
		}()
	}
	for waiting.Load() < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Unlock()
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("Up: %v / %v", errs[0], errs[1])
	}
	if applied[0]+applied[1] != 2 || maxHolders.Load() != 1 || holders.Load() != 0 || taken.Load() < 2 {
		t.Fatalf("applied %v, max holders %d, held now %d, taken %d", applied, maxHolders.Load(), holders.Load(), taken.Load())
	}
	failing, err := New(openPostgres(t), EnginePostgres, lockFS(), WithLock(func(context.Context) (func(), error) { return nil, errors.New("busy") }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := failing.Up(context.Background()); err == nil || !strings.Contains(err.Error(), "migration lock: busy") {
		t.Fatalf("lock failure: %v", err)
	}
}
