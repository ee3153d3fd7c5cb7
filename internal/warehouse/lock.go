package warehouse

import (
	"context"
	"fmt"
	"os"
	"time"
)

// LockHolders is implemented by adapters that can name the holder of a
// lock taken with Adapter.Lock, so a run that has to wait can say for whom.
type LockHolders interface {
	// LockHolder describes who holds the lock name now, or returns ""
	// when it is free or the holder cannot be told.
	LockHolder(ctx context.Context, name string) (string, error)
}

// BusyError says a resource (a DuckDB file, a run lock) is held by
// another process. Holder describes it as far as it is known.
type BusyError struct {
	Resource string
	Holder   string
	Err      error
}

func (e *BusyError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("%s is in use by another process", e.Resource)
	}
	return fmt.Sprintf("%s is in use by %s", e.Resource, e.Holder)
}

func (e *BusyError) Unwrap() error { return e.Err }

// HolderName describes this process as a lock holder: program, PID, host
// and start of the hold, e.g. "cdw pid 4242 on ci-7 since 2026-12-04T08:12:00Z".
func HolderName(now time.Time) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown host"
	}
	return fmt.Sprintf("cdw pid %d on %s since %s", os.Getpid(), host, now.UTC().Format(time.RFC3339))
}
