package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Step is one stage of a deploy. Run returns a one-line summary for the CI
// log ("applied 2 migrations", "12 models, 30 tests passed") and an error
// when the stage failed. Run must honour ctx.
type Step struct {
	Name string
	Run  func(ctx context.Context) (summary string, err error)
}

// Status of a step.
type Status string

const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// StepResult is the outcome of one step.
type StepResult struct {
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Summary  string        `json:"summary,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`
}

// Report is the outcome of a deploy.
type Report struct {
	Environment string       `json:"environment"`
	Target      string       `json:"target"`
	Ref         string       `json:"ref"`
	Reason      string       `json:"reason"`
	Override    bool         `json:"prod_guard_overridden,omitempty"`
	StartedAt   time.Time    `json:"started_at"`
	Steps       []StepResult `json:"steps"`
	// Interrupted is set when ctx ended during the deploy.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Run runs steps in order, stopping at the first failure; the steps after
// it are reported as skipped. It fills r.Steps and r.StartedAt and returns
// the first step error (nil when every step succeeded). A cancelled ctx
// marks the report interrupted and skips the remaining steps.
func (r *Report) Run(ctx context.Context, steps []Step) error {
	r.StartedAt = time.Now().UTC()
	r.Steps = r.Steps[:0]
	var first error
	for _, s := range steps {
		if first != nil || ctx.Err() != nil {
			r.Steps = append(r.Steps, StepResult{Name: s.Name, Status: StatusSkipped})
			continue
		}
		start := time.Now()
		summary, err := s.Run(ctx)
		d := time.Since(start)
		res := StepResult{Name: s.Name, Status: StatusOK, Summary: summary, Duration: d, Seconds: d.Seconds()}
		if err != nil {
			res.Status, res.Error = StatusFailed, err.Error()
			first = fmt.Errorf("deploy step %s: %w", s.Name, err)
		}
		r.Steps = append(r.Steps, res)
	}
	if ctx.Err() != nil {
		r.Interrupted = true
		if first == nil {
			first = ctx.Err()
		}
	}
	return first
}

// OK reports whether every step ran and succeeded.
func (r *Report) OK() bool {
	if r.Interrupted || len(r.Steps) == 0 {
		return false
	}
	for _, s := range r.Steps {
		if s.Status != StatusOK {
			return false
		}
	}
	return true
}

// FailedStep returns the name of the step that failed, or "".
func (r *Report) FailedStep() string {
	for _, s := range r.Steps {
		if s.Status == StatusFailed {
			return s.Name
		}
	}
	return ""
}

// WriteSummary writes the report for a CI log: one line per step with its
// status, duration and summary, then a verdict line
// (`deploy uat: OK` or `deploy uat: FAILED at build`).
func (r *Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "deploy summary: environment %s, target %s, %s\n", r.Environment, r.Target, r.Ref)
	for _, s := range r.Steps {
		line := fmt.Sprintf("  %-8s %-9s", strings.ToUpper(string(s.Status)), s.Name)
		if s.Status != StatusSkipped {
			line += fmt.Sprintf(" %6.1fs", s.Duration.Seconds())
		}
		if s.Summary != "" {
			line += "  " + s.Summary
		}
		if s.Error != "" {
			line += "  error: " + firstLine(s.Error)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	switch {
	case r.OK():
		fmt.Fprintf(&b, "deploy %s: OK\n", r.Environment)
	case r.Interrupted:
		fmt.Fprintf(&b, "deploy %s: INTERRUPTED\n", r.Environment)
	default:
		fmt.Fprintf(&b, "deploy %s: FAILED at %s\n", r.Environment, r.FailedStep())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as JSON to path (creating its folder),
// atomically: a reader sees the old file or the new one.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("deploy: encode report: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("deploy: write report: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".deploy-*.json")
	if err != nil {
		return fmt.Errorf("deploy: write report: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("deploy: write report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("deploy: write report: %w", err)
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
