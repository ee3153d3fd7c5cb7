package billingsim

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault kinds the server can inject.
const (
	Fault429      = "429"      // Too Many Requests with Retry-After (bursts: see Faults.Burst)
	Fault500      = "500"      // Internal Server Error
	Fault502      = "502"      // Bad Gateway
	Fault503      = "503"      // Service Unavailable
	FaultSlow     = "slow"     // the response stalls for Faults.SlowDelay first
	FaultDrop     = "drop"     // the connection is closed without a response
	FaultTruncate = "truncate" // 200 with half the body: invalid JSON, or a connection cut short of Content-Length
	FaultExpire   = "expire"   // every issued access token is revoked, then 401 (internal API only)
)

// AllFaults lists every fault kind.
var AllFaults = []string{Fault429, Fault500, Fault502, Fault503, FaultSlow, FaultDrop, FaultTruncate, FaultExpire}

// Faults configure fault injection. The decision for a request depends
// only on the seed, the request's method and URI and how many times that
// request was made before, so a run's faults do not depend on goroutine
// scheduling — except Burst, which spreads 429s across requests in arrival
// order (still bounded by MaxConsecutive for each request).
type Faults struct {
	// Rate is the fraction of requests that fail (0 to 1).
	Rate float64
	// Kinds to choose from (default AllFaults).
	Kinds []string
	// MaxConsecutive bounds how many times in a row one request fails
	// (default 3): a client making more attempts than this always gets
	// through, which makes fault-equivalence tests exact.
	MaxConsecutive int
	// RetryAfterSeconds is the Retry-After sent with a 429 (default 0:
	// "retry now"; the header is always sent).
	RetryAfterSeconds int
	// Burst makes each injected 429 the first of Burst 429s, sent to the
	// next requests whatever they are.
	Burst int
	// SlowDelay is how long a slow response stalls (default 2s); a client
	// with a shorter timeout gives up and retries.
	SlowDelay time.Duration
	// FailAccounts always answer 500 (not counted as injected faults):
	// accounts that stay broken for a run.
	FailAccounts []int64
}

// ParseFaultKinds parses a comma-separated list of kinds ("" or "all":
// every kind).
func ParseFaultKinds(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return slices.Clone(AllFaults), nil
	}
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(AllFaults, k) {
			return nil, fmt.Errorf("unknown fault kind %q (known: %s)", k, strings.Join(AllFaults, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// faultState tracks, per request key, how many times it was seen and how
// many faults in a row it got.
type faultState struct {
	mu    sync.Mutex
	seen  map[string]int
	row   map[string]int
	last  map[string]string // the previous fault of each request
	burst int               // 429s still to send in the current burst
}

func newFaultState() *faultState {
	return &faultState{seen: map[string]int{}, row: map[string]int{}, last: map[string]string{}}
}

// decide returns the fault to inject for this request ("" for none).
// internal says whether the request is to the internal API (where
// FaultExpire applies).
func (s *Server) decide(key string, internal bool) string {
	f := &s.cfg.Faults
	st := s.faults
	st.mu.Lock()
	defer st.mu.Unlock()
	n := st.seen[key]
	st.seen[key] = n + 1
	if st.row[key] >= f.MaxConsecutive {
		st.row[key] = 0
		return ""
	}
	kind := ""
	if st.burst > 0 {
		st.burst--
		kind = Fault429
	} else if f.Rate > 0 {
		r := newRNG(uint64(s.cfg.Seed), hashString(key), uint64(n))
		if r.float() < f.Rate {
			kinds := f.Kinds
			if !internal {
				kinds = slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return k == FaultExpire })
			}
			if len(kinds) > 0 {
				i := r.intn(len(kinds))
				kind = kinds[i]
				// A revoked token twice in a row would look like bad
				// credentials to any client: take the next kind instead.
				if kind == FaultExpire && st.last[key] == FaultExpire {
					kind = kinds[(i+1)%len(kinds)]
					if kind == FaultExpire {
						kind = ""
					}
				}
			}
			if kind == Fault429 && f.Burst > 1 {
				st.burst = f.Burst - 1
			}
		}
	}
	if kind == "" {
		st.row[key] = 0
	} else {
		st.row[key]++
	}
	st.last[key] = kind
	return kind
}

func halfLen(n int) int { return int(math.Max(1, float64(n/2))) }
