package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/cdw-dev/cdw/internal/extract"
)

// progressMode resolves --progress: "auto" is a bar when stdout is a
// terminal (and $TERM is set and not "dumb"), plain lines otherwise.
func progressMode(flag string, s *settings) (string, error) {
	switch flag {
	case "bar", "lines":
		return flag, nil
	case "auto", "":
		t, ok := s.env("TERM")
		if ok && t != "" && t != "dumb" && term.IsTerminal(int(os.Stdout.Fd())) {
			return "bar", nil
		}
		return "lines", nil
	}
	return "", fmt.Errorf("--progress must be auto, bar or lines, got %q", flag)
}

// unitView shows an API extract's progress: accounts done of total, rows,
// requests, retries, rate and ETA. As a bar it redraws one line in place
// (and every half second, so the rate stays live); as lines it prints one
// line per tenth of the accounts. Safe for the runner's observer goroutine
// and its own ticker.
type unitView struct {
	out   io.Writer
	name  string
	plan  extract.UnitPlan
	bar   bool
	start time.Time

	mu       sync.Mutex
	last     extract.UnitEvent
	failed   int
	nextLine int // lines mode: the next Done count to report at
	stop     chan struct{}
	stopped  chan struct{}
}

func newUnitView(out io.Writer, name string, plan extract.UnitPlan, bar bool) *unitView {
	v := &unitView{out: out, name: name, plan: plan, bar: bar, start: time.Now(), stop: make(chan struct{}), stopped: make(chan struct{})}
	v.last.Total = len(plan.Units())
	v.nextLine = step(v.last.Total)
	if bar {
		go v.tick()
	} else {
		close(v.stopped)
	}
	return v
}

// step is how many accounts pass between two progress lines.
func step(total int) int { return max(1, (total+9)/10) }

func (v *unitView) tick() {
	defer close(v.stopped)
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			v.mu.Lock()
			v.draw()
			v.mu.Unlock()
		case <-v.stop:
			return
		}
	}
}

// event is the runner's observer.
func (v *unitView) event(e extract.UnitEvent) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.last = e
	if e.Result.Status == extract.UnitFailed {
		v.failed++
	}
	if v.bar {
		v.draw()
		return
	}
	if e.Done >= v.nextLine || e.Done == e.Total {
		fmt.Fprintf(v.out, "  %s\n", v.status())
		for v.nextLine <= e.Done {
			v.nextLine += step(e.Total)
		}
	}
}

// status is the one-line state: "120/300 accounts (40%), 9,876 rows, ...".
func (v *unitView) status() string {
	e := v.last
	c := v.plan.Counters()
	elapsed := time.Since(v.start)
	var b strings.Builder
	pct := 100
	if e.Total > 0 {
		pct = e.Done * 100 / e.Total
	}
	fmt.Fprintf(&b, "%d/%d accounts (%d%%), %d rows, %d requests, %d retries", e.Done, e.Total, pct, e.Rows, c.Requests, c.Retries)
	if v.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", v.failed)
	}
	if e.Done > 0 && elapsed > 0 {
		rate := float64(e.Done) / elapsed.Seconds()
		fmt.Fprintf(&b, ", %.1f accounts/s", rate)
		if left := e.Total - e.Done; left > 0 && rate > 0 {
			fmt.Fprintf(&b, ", ETA %s", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	return b.String()
}

// draw redraws the bar line (caller holds mu).
func (v *unitView) draw() {
	const width = 24
	e := v.last
	filled := width
	if e.Total > 0 {
		filled = e.Done * width / e.Total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(v.out, "\r\033[K%s %s %s", v.name, bar, v.status())
}

// finish stops the ticker and ends the bar's line.
func (v *unitView) finish() {
	close(v.stop)
	<-v.stopped
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.bar {
		v.draw()
		fmt.Fprintln(v.out)
	}
}
