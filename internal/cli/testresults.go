package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
	"github.com/cdw-dev/cdw/internal/testhistory"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// commandKinds are the node kinds each command runs (dbt's split): run
// builds models; test runs data and unit tests; seed and snapshot their
// kind; build all of them in DAG order.
func commandKinds(cmd string) map[string]bool {
	switch cmd {
	case "run":
		return map[string]bool{project.KindModel: true, project.KindExtractor: true}
	case "test":
		return map[string]bool{project.KindTest: true, project.KindUnitTest: true}
	case "seed":
		return map[string]bool{project.KindSeed: true}
	case "snapshot":
		return map[string]bool{project.KindSnapshot: true}
	}
	return map[string]bool{project.KindModel: true, project.KindTest: true, project.KindUnitTest: true,
		project.KindSeed: true, project.KindSnapshot: true, project.KindExtractor: true}
}

// gateTests rearranges the plan for tests that judge a model before it is
// built: unit tests (which need no warehouse) and new_rows_only tests
// (which check the rows the model is about to add). They wait only for
// what the model itself waits for, and in build the model waits for them,
// so a failing one skips the model and everything below it.
func gateTests(p *project.Project, plan *run.Plan, build bool) {
	in := map[string]bool{}
	for _, id := range plan.Order {
		in[id] = true
	}
	for _, id := range plan.Order {
		n := p.Nodes[id]
		var model string
		switch {
		case n.Kind == project.KindUnitTest:
			model = n.UnitTest.Model
		case n.Kind == project.KindTest && n.Test.NewRowsOnly:
			model = n.Test.On
		default:
			continue
		}
		var parents []string
		if n.Kind == project.KindTest {
			// The model's own parents, and whatever else the test reads.
			parents = append(parents, p.Graph.Parents(model)...)
			for _, x := range p.Graph.Parents(id) {
				if x != model {
					parents = append(parents, x)
				}
			}
		}
		plan.Parents[id] = parents // a unit test reads nothing in the warehouse
		if build && in[model] && !readsBelow(p, parents, model) {
			plan.Parents[model] = append(plan.Parents[model], id)
		}
	}
}

// readsBelow reports whether any of ids is model or depends on it (a
// relationships test to a model downstream): gating model on such a test
// would make it wait for itself.
func readsBelow(p *project.Project, ids []string, model string) bool {
	for _, id := range ids {
		if id == model {
			return true
		}
		for _, a := range p.Graph.Ancestors(id, -1) {
			if a == model {
				return true
			}
		}
	}
	return false
}

// planCounts describes a plan: "1 seed, 3 models, 9 tests".
func planCounts(p *project.Project, ids []string) string {
	count := map[string]int{}
	for _, id := range ids {
		kind := p.Nodes[id].Kind
		if kind == project.KindUnitTest {
			kind = project.KindTest
		}
		count[kind]++
	}
	var parts []string
	for _, kind := range []string{project.KindExtractor, project.KindSeed, project.KindSnapshot, project.KindModel, project.KindTest} {
		if count[kind] > 0 {
			parts = append(parts, plural(count[kind], kind))
		}
	}
	return strings.Join(parts, ", ")
}

// recordTestHistory appends every data and unit test result of a command
// to cdw_meta.test_results. It runs even after an interrupt (with a
// fresh, bounded context) so that what did run is recorded; a failure to
// write is reported on errw and does not change the command's outcome.
func (w *workspace) recordTestHistory(ctx context.Context, errw io.Writer, a warehouse.Adapter, p *project.Project,
	inv invocation, cmd string, results []run.Result) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var recs []testhistory.Record
	var sha string
	shaKnown := false
	for _, r := range results {
		n := p.Nodes[r.ID]
		if n.Kind != project.KindTest && n.Kind != project.KindUnitTest {
			continue
		}
		if !shaKnown {
			sha, shaKnown = testhistory.GitSHA(ctx, w.dir, w.s.env), true
		}
		rec := testhistory.Record{
			RunID: inv.id, Command: cmd, Project: p.Config.Name, Target: w.targetName, TargetSchema: p.Target.Schema,
			TestID: n.ID, TestName: n.Name, Status: string(r.Status), Message: r.Message, GitSHA: sha,
			StartedAt: r.Started, Duration: r.Duration,
		}
		if r.Rows >= 0 && r.Status != run.StatusError && r.Status != run.StatusSkipped {
			f := r.Rows
			rec.Failures = &f
		}
		switch {
		case n.Kind == project.KindUnitTest:
			rec.TestType, rec.TestedNode, rec.Severity = "unit", n.UnitTest.Model, "error"
		case n.Test.Generic != "":
			rec.TestType, rec.TestedNode, rec.Column, rec.Severity = "generic", n.Test.On, n.Test.Column, string(n.Test.Severity)
		default:
			rec.TestType, rec.Severity = "singular", string(n.Test.Severity)
		}
		if n.Kind == project.KindTest && n.Test.StoreFailures && rec.Failures != nil {
			if s, err := ddl.Statements(a); err == nil {
				rec.FailuresRelation = testhistory.FailuresRelation(s, p.Target.Schema, n.Name).String()
			}
		}
		recs = append(recs, rec)
	}
	if err := testhistory.Append(ctx, a, recs, time.Now()); err != nil {
		fmt.Fprintf(errw, "warning: test results were not recorded in %s: %v\n", testhistory.Results(), err)
	}
}
