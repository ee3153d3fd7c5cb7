package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one measured run of a process.
type sample struct {
	Wall      time.Duration
	CPU       time.Duration // user + system time of the process and its children
	MaxRSS    int64         // peak resident set of the process, bytes (0 if unknown)
	ServerCPU time.Duration // CPU of its PostgreSQL backends (sampled), 0 if not measured
}

// series is the repeated measurement of one thing.
type series struct {
	Name    string
	Samples []sample
	Err     error // the failure that stopped it, if any
}

// OK reports whether the series has measurements and did not fail.
func (s series) OK() bool { return s.Err == nil && len(s.Samples) > 0 }

// Median, Min and Max of the wall times; zero for an empty series.
func (s series) Median() time.Duration { return pick(s.walls(), 0.5) }
func (s series) Min() time.Duration    { return pick(s.walls(), 0) }
func (s series) Max() time.Duration    { return pick(s.walls(), 1) }

// MedianCPU and MedianServerCPU are the medians of those times.
func (s series) MedianCPU() time.Duration {
	return s.median(func(x sample) time.Duration { return x.CPU })
}

func (s series) MedianServerCPU() time.Duration {
	return s.median(func(x sample) time.Duration { return x.ServerCPU })
}

func (s series) median(f func(sample) time.Duration) time.Duration {
	d := make([]time.Duration, len(s.Samples))
	for i, x := range s.Samples {
		d[i] = f(x)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return pick(d, 0.5)
}

// PeakRSS is the largest MaxRSS over the samples.
func (s series) PeakRSS() int64 {
	var m int64
	for _, x := range s.Samples {
		m = max(m, x.MaxRSS)
	}
	return m
}

func (s series) walls() []time.Duration {
	w := make([]time.Duration, len(s.Samples))
	for i, x := range s.Samples {
		w[i] = x.Wall
	}
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w
}

// pick returns the q-quantile of sorted d: 0 the minimum, 1 the maximum,
// 0.5 the median (the mean of the middle two for an even count).
func pick(d []time.Duration, q float64) time.Duration {
	switch {
	case len(d) == 0:
		return 0
	case q <= 0:
		return d[0]
	case q >= 1:
		return d[len(d)-1]
	}
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

// command is a process to measure.
type command struct {
	Dir  string
	Env  []string // added to the environment
	Args []string
}

func (c command) String() string { return strings.Join(c.Args, " ") }

// gnuTime is GNU time, used to read a process's peak RSS: the rusage Go
// gets from wait4 for a child it started itself also counts the parent's
// own pages at the moment of exec, so it would report this harness's size.
const gnuTime = "/usr/bin/time"

// run starts c, waits for it and returns its wall time, CPU time and peak
// RSS (via GNU time when present, else 0). A non-zero exit is an error
// carrying the tail of its output.
func run(ctx context.Context, c command) (sample, []byte, error) {
	args := c.Args
	var rssFile string
	if _, err := os.Stat(gnuTime); err == nil {
		f, err := os.CreateTemp("", "cdwbench-rss-*")
		if err != nil {
			return sample{}, nil, err
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{gnuTime, "-f", "%M", "-o", rssFile}, args...)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	// Its own process group, killed whole on cancellation: GNU time does
	// not pass signals on, so killing it alone would leave the measured
	// process running (and holding the output pipe open).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	s := sample{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		s.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if rssFile != "" {
		// GNU time writes "Command exited with non-zero status N" first
		// when the command fails; the figure is the last line.
		lines := strings.Fields(readFile(rssFile))
		if len(lines) > 0 {
			if kb, perr := strconv.ParseInt(lines[len(lines)-1], 10, 64); perr == nil {
				s.MaxRSS = kb * 1024
			}
		}
	}
	if err != nil {
		return s, out.Bytes(), fmt.Errorf("%s (in %s): %w\n%s", c, c.Dir, err, tail(out.Bytes(), 2000))
	}
	return s, out.Bytes(), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// baseName is filepath.Base, named for readability at call sites.
func baseName(p string) string { return filepath.Base(p) }

// fmtDur prints a duration in seconds with three significant decimals.
func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Second:
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func fmtMB(b int64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%d MB", (b+(1<<19))>>20)
}
