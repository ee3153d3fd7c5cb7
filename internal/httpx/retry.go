package httpx

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// retryableStatus reports whether a status is worth another attempt:
// request timeout, too many requests, and the transient server errors.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransport reports whether a transport error (the caller's
// context still alive) is transient: timeouts, refused, reset or aborted
// connections, and bodies cut short.
func retryableTransport(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	case errors.Is(err, errAttemptTimeout):
		return true
	}
	// net/http reports a server that closed an idle or fresh connection
	// without answering in words only.
	msg := err.Error()
	for _, s := range []string{"server closed idle connection", "connection reset", "broken pipe"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// errAttemptTimeout marks an attempt cut off by the per-request timeout.
var errAttemptTimeout = errors.New("request timed out")

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP-date. ok is false when the header is absent or malformed.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// backoff is the delay before attempt n+1 (n ≥ 1 attempts made):
// exponential from base, capped at max, with "equal jitter" — half the
// delay fixed, half random — so retries of many clients spread out but
// never collapse to zero. u is a uniform random number in [0, 1).
func backoff(n int, base, max time.Duration, u float64) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + time.Duration(u*float64(d-half))
}
