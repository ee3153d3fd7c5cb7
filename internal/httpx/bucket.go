package httpx

import (
	"context"
	"math"
	"sync"
	"time"
)

// Bucket is a token-bucket rate limiter: it holds at most burst tokens,
// refills at rate tokens per second, and every Wait takes one token,
// waiting for it when the bucket is empty. Waiters are served in the order
// they reserve, so a burst of callers is spread evenly over time.
//
// A Bucket is safe for concurrent use. The zero value is not usable; use
// NewBucket.
type Bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64 // may go negative: reservations not yet due
	last   time.Time
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

// NewBucket returns a bucket that starts full. rate must be positive;
// burst below 1 is taken as 1.
func NewBucket(rate float64, burst int) *Bucket {
	if burst < 1 {
		burst = 1
	}
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst), now: time.Now, sleep: sleepCtx}
}

// Wait takes one token, blocking until it is due or ctx ends. A cancelled
// wait returns its token, so it does not delay later callers, and returns
// ctx's error.
func (b *Bucket) Wait(ctx context.Context) error {
	d := b.reserve()
	if d <= 0 {
		return nil
	}
	if err := b.sleep(ctx, d); err != nil {
		b.mu.Lock()
		b.tokens = math.Min(b.burst, b.tokens+1)
		b.mu.Unlock()
		return err
	}
	return nil
}

// reserve takes a token now and returns how long until it is due.
func (b *Bucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// sleepCtx sleeps for d or until ctx ends, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
