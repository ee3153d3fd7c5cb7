package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// lockPoll is how often a waiting run retries a busy DuckDB file and how
// long it tries a run lock before saying it waits.
const lockPoll = 250 * time.Millisecond

// lockTimeout is how long a run waits for another run on the same target
// (--lock-timeout); 0 means do not wait.
func (w *workspace) lockTimeout() time.Duration {
	if w.c == nil {
		return 0
	}
	return w.c.Duration("lock-timeout")
}

// lockRun takes the target's run lock: one run per project and target at
// a time. When another run holds it, it says who and waits up to
// --lock-timeout, then fails naming the holder. A crashed holder's lock
// ends with its session (PostgreSQL, Redshift) or process (DuckDB).
func (w *workspace) lockRun(ctx context.Context, a warehouse.Adapter, project string) (func(), error) {
	name := "cdw:" + project
	try, cancel := context.WithTimeout(ctx, lockPoll)
	unlock, err := a.Lock(try, name)
	cancel()
	if err == nil {
		return unlock, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	holder := lockHolder(ctx, a, name)
	timeout := w.lockTimeout()
	if timeout > lockPoll {
		fmt.Fprintf(w.c.App.ErrWriter, "waiting up to %s for the run lock of %s on target %s, held by %s\n", timeout, project, w.targetName, holder)
		wait, cancel := context.WithTimeout(ctx, timeout-lockPoll)
		defer cancel()
		if unlock, err = a.Lock(wait, name); err == nil {
			return unlock, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		holder = lockHolder(ctx, a, name)
	}
	return nil, fmt.Errorf("target %s: another run holds the run lock of %s: %s; gave up after %s (--lock-timeout)",
		w.targetName, project, holder, timeout)
}

// lockHolder names the holder of lock name as well as the adapter can.
func lockHolder(ctx context.Context, a warehouse.Adapter, name string) string {
	if lh, ok := a.(warehouse.LockHolders); ok {
		if h, err := lh.LockHolder(ctx, name); err == nil && h != "" {
			return h
		}
	}
	return "another cdw run"
}

// connectWaiting connects, retrying while the database is held by another
// process (a DuckDB file has one writing process) up to --lock-timeout.
func (w *workspace) connectWaiting(ctx context.Context) (warehouse.Adapter, error) {
	a, err := w.connect(ctx)
	var busy *warehouse.BusyError
	if !errors.As(err, &busy) {
		return a, err
	}
	timeout := w.lockTimeout()
	if timeout > 0 {
		fmt.Fprintf(w.c.App.ErrWriter, "waiting up to %s: %s\n", timeout, busy)
		deadline := time.Now().Add(timeout)
		for time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(lockPoll):
			}
			if a, err = w.connect(ctx); !errors.As(err, &busy) {
				return a, err
			}
		}
	}
	return nil, fmt.Errorf("target %s: %s; gave up after %s (--lock-timeout)", w.targetName, busy, timeout)
}
