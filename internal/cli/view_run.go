package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
)

// runView renders run events and results as text.
type runView struct {
	out  io.Writer
	p    *project.Project
	done int // nodes finished so far
}

func newRunView(out io.Writer, p *project.Project) *runView { return &runView{out: out, p: p} }

// counts describes a plan: "3 models, 9 tests".
func (v *runView) counts(ids []string) string {
	var models, tests int
	for _, id := range ids {
		if v.p.Nodes[id].Kind == project.KindModel {
			models++
		} else {
			tests++
		}
	}
	var parts []string
	if models > 0 {
		parts = append(parts, plural(models, "model"))
	}
	if tests > 0 {
		parts = append(parts, plural(tests, "test"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

var statusWord = map[run.Status]string{
	run.StatusSuccess: "OK", run.StatusError: "ERROR", run.StatusPass: "PASS",
	run.StatusFail: "FAIL", run.StatusWarn: "WARN", run.StatusSkipped: "SKIP",
}

// event prints one line per finished node, numbered in completion order.
func (v *runView) event(e run.Event) {
	if e.Kind != run.EventDone {
		return
	}
	n := v.p.Nodes[e.ID]
	what := n.Kind
	if n.Kind == project.KindModel {
		what = n.Config.EffectiveMaterialized()
	}
	v.done++
	width := len(fmt.Sprint(e.Total))
	msg := firstLine(e.Result.Message)
	if e.Result.Status == run.StatusPass {
		msg = ""
	}
	line := fmt.Sprintf("  %*d/%d  %-5s  %-11s %-40s %6s  %s", width, v.done, e.Total,
		statusWord[e.Result.Status], what, n.Name, seconds(e.Result.Duration), msg)
	fmt.Fprintln(v.out, strings.TrimRight(line, " "))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func seconds(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// failures prints, for each failing or warning test, its sample rows, and
// each error in full.
func (v *runView) failures(results []run.Result) {
	for _, r := range results {
		n := v.p.Nodes[r.ID]
		switch r.Status {
		case run.StatusFail, run.StatusWarn:
			d, _ := r.Detail.(*run.TestDetail)
			fmt.Fprintf(v.out, "\n%s %s: %s (%s)\n", statusWord[r.Status], n.Name, r.Message, n.Path)
			if d != nil && d.Sample != nil {
				writeTable(v.out, d.Sample, "  ")
			}
		case run.StatusError:
			fmt.Fprintf(v.out, "\nERROR %s (%s):\n  %s\n", n.Name, n.Path, strings.ReplaceAll(r.Message, "\n", "\n  "))
		}
	}
}

// summary is the last line, and whether the run failed.
func (v *runView) summary(results []run.Result) (string, bool) {
	count := map[run.Status]int{}
	for _, r := range results {
		count[r.Status]++
	}
	var parts []string
	for _, s := range []run.Status{run.StatusSuccess, run.StatusPass, run.StatusWarn, run.StatusFail, run.StatusError, run.StatusSkipped} {
		if count[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[s], s))
		}
	}
	bad := count[run.StatusError]+count[run.StatusFail] > 0
	head := "Done"
	if bad {
		head = "Failed"
	}
	return fmt.Sprintf("\n%s: %s", head, strings.Join(parts, ", ")), bad
}
