package run

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// auditor is write-audit-publish for one model with audit: true: the
// model's error-severity data tests (every test that reads it, also a
// relationships test from another model, and singular tests) run against
// the staged table or the prospective incremental result, compiled as if
// the model were there. A test that fails or errors blocks publication; a
// test skipped because another of its parents is not built does not.
type auditor struct {
	e     *Executor
	n     *project.Node
	opts  compile.Options
	tests []*project.Node
	runs  int // audits that passed
}

// auditor returns n's auditor; its fn is nil unless n sets audit: true.
func (e *Executor) auditor(n *project.Node, opts compile.Options) *auditor {
	a := &auditor{e: e, n: n, opts: opts}
	if !n.Config.IsAudited() {
		return a
	}
	for _, t := range e.Project.Nodes {
		if t.Kind == project.KindTest && t.Test != nil && t.Test.Severity != quality.SeverityWarn && slices.Contains(t.Parents, n.ID) {
			a.tests = append(a.tests, t)
		}
	}
	slices.SortFunc(a.tests, func(x, y *project.Node) int { return strings.Compare(x.ID, y.ID) })
	return a
}

// fn is the AuditFunc to give the warehouse, nil without audit: true.
func (a *auditor) fn() warehouse.AuditFunc {
	if !a.n.Config.IsAudited() {
		return nil
	}
	return a.audit
}

// note is appended to a successful model's message.
func (a *auditor) note() string {
	switch {
	case !a.n.Config.IsAudited():
		return ""
	case len(a.tests) == 0:
		return "; audit: true, but the model has no error-severity tests"
	default:
		return fmt.Sprintf("; audited by %d test(s)", len(a.tests))
	}
}

// audit runs the tests against staged.
func (a *auditor) audit(ctx context.Context, staged warehouse.Relation) error {
	opts := a.opts
	prev := opts.Defer
	opts.Defer = func(x *project.Node) (warehouse.Relation, bool) {
		if x.ID == a.n.ID {
			return staged, true
		}
		if prev != nil {
			return prev(x)
		}
		return warehouse.Relation{}, false
	}
	opts.Batch = nil
	var failed []string
	for _, t := range a.tests {
		c, err := compile.Compile(a.e.Project, t.ID, opts)
		if err != nil {
			failed = append(failed, t.Name+": "+err.Error())
			continue
		}
		out := a.e.test(ctx, t, c, opts)
		if out.Status == StatusFail || out.Status == StatusError {
			failed = append(failed, t.Name+": "+out.Message)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d error-severity test(s) failed: %s", len(failed), len(a.tests), strings.Join(failed, "; "))
	}
	a.runs++
	return nil
}
