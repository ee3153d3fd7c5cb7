package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat times.
const clockTicks = 100

// backendSampler follows the PostgreSQL backends of one application_name
// while a measured process runs and adds up their CPU time from
// /proc/PID/stat (the server runs on this machine). Samples are taken
// every 100 ms, so up to 0.1 s per backend may be missed at its end.
type backendSampler struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	cpu    map[int]time.Duration
}

func startBackendSampler(ctx context.Context, dbURL, app string) *backendSampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &backendSampler{cancel: cancel, done: make(chan struct{}), cpu: map[int]time.Duration{}}
	go func() {
		defer close(s.done)
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample(ctx, conn, app)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *backendSampler) sample(ctx context.Context, conn *pgx.Conn, app string) {
	rows, err := conn.Query(ctx, "select pid from pg_stat_activity where application_name = $1", app)
	if err != nil {
		return
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return
	}
	for _, pid := range pids {
		if d, ok := procCPU(int(pid)); ok {
			s.mu.Lock()
			s.cpu[int(pid)] = max(s.cpu[int(pid)], d)
			s.mu.Unlock()
		}
	}
}

// stop ends sampling and returns the CPU time of every backend seen.
func (s *backendSampler) stop() time.Duration {
	s.cancel()
	<-s.done
	var sum time.Duration
	for _, d := range s.cpu {
		sum += d
	}
	return sum
}

// procCPU is the user + system time of process pid.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+k) * time.Second / clockTicks, true
}
