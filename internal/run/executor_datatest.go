package run

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/compile"
	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/testhistory"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// dataTest compiles and runs a data test, reporting the SQL it ran.
func (e *Executor) dataTest(ctx context.Context, n *project.Node) Outcome {
	opts := e.compileOptions(ctx)
	c, err := compile.Compile(e.Project, n.ID, opts)
	if err != nil {
		return errorOutcome(err)
	}
	out := e.test(ctx, n, c, opts)
	if out.SQL == "" {
		out.SQL = c.SQL
	}
	return out
}

// compileOptions are e.Compile with is_incremental() decided by what
// exists in the warehouse now.
func (e *Executor) compileOptions(ctx context.Context) compile.Options {
	opts := e.Compile
	opts.IsTable = func(r warehouse.Relation) bool {
		kind, ok, err := e.Adapter.RelationKind(ctx, r)
		return err == nil && ok && kind == warehouse.KindTable
	}
	opts.Query = func(sql string) (*template.QueryResult, error) {
		res, err := e.Adapter.Query(ctx, sql, -1)
		if err != nil {
			return nil, err
		}
		return &template.QueryResult{Columns: res.Columns, Rows: res.Rows}, nil
	}
	return opts
}

// test runs a compiled data test: it counts the failing rows (at most
// limit), stores them when store_failures is set, and judges the count
// with the test's severity and warn_if/error_if. A new_rows_only test
// checks its model's incremental delta instead of its table. Outcome.SQL
// is set when the query run differs from c.SQL.
func (e *Executor) test(ctx context.Context, n *project.Node, c *compile.Node, opts compile.Options) Outcome {
	// A test of a model, seed or snapshot that was never built in this
	// target cannot run; say so rather than fail on "relation does not
	// exist". A new_rows_only test reads its model's query, not its table.
	for _, id := range n.Parents {
		parent := e.Project.Nodes[id]
		if n.Test.NewRowsOnly && id == n.Test.On {
			continue
		}
		if !project.IsRefable(parent.Kind) || parent.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
			continue // sources are checked by the query itself; ephemerals are inlined
		}
		rel := compile.RelationOf(parent, opts)
		_, exists, err := e.Adapter.RelationKind(ctx, rel)
		if err != nil {
			return errorOutcome(err)
		}
		if !exists {
			how := "cdw run -s " + parent.Name
			switch parent.Kind {
			case project.KindSeed:
				how = "cdw seed -s " + parent.Name
			case project.KindSnapshot:
				how = "cdw snapshot -s " + parent.Name
			}
			return Outcome{Status: StatusSkipped, Rows: -1,
				Message: fmt.Sprintf("not built: %s does not exist in this target (%s)", rel, how)}
		}
	}
	failing, ran := c.SQL, ""
	if n.Test.NewRowsOnly {
		sql, err := e.newRowsSQL(n, opts)
		if err != nil {
			return errorOutcome(err)
		}
		failing, ran = sql, sql
	}
	if n.Test.Limit > 0 {
		failing = quality.LimitSQL(failing, n.Test.Limit)
		ran = failing
	}
	var (
		count  int64
		stored string
	)
	if n.Test.StoreFailures {
		s, err := ddl.Statements(e.Adapter)
		if err != nil {
			return errorOutcome(err)
		}
		rel := testhistory.FailuresRelation(s, e.Project.Target.Schema, n.Name)
		count, err = warehouse.BuildTable(ctx, e.Adapter, rel, failing)
		if err != nil {
			return withSQL(errorOutcome(fmt.Errorf("store failures: %w", err)), ran)
		}
		stored = rel.String()
	} else {
		res, err := e.Adapter.Query(ctx, quality.CountSQL(failing), 1)
		if err != nil {
			return withSQL(errorOutcome(err), ran)
		}
		if count, err = asInt(res); err != nil {
			return withSQL(errorOutcome(err), ran)
		}
	}
	verdict := n.Test.Thresholds().Judge(count)
	if count == 0 && verdict == quality.OutcomePass {
		return withSQL(Outcome{Status: StatusPass, Message: "pass", Rows: 0}, ran)
	}
	msg := fmt.Sprintf("%d failing row(s)", count)
	if t := thresholdNote(n.Test, verdict); t != "" {
		msg += " " + t
	}
	if stored != "" {
		msg += ", stored in " + stored
	}
	status := map[quality.Outcome]Status{quality.OutcomePass: StatusPass, quality.OutcomeWarn: StatusWarn, quality.OutcomeFail: StatusFail}[verdict]
	out := Outcome{Status: status, Message: msg, Rows: count}
	if count > 0 {
		limit := e.SampleRows
		if limit <= 0 {
			limit = 5
		}
		sampleFrom := quality.SampleSQL(failing, limit)
		if stored != "" {
			sampleFrom = fmt.Sprintf("select * from %s limit %d", e.Adapter.Dialect().QuoteRelation(storedRelation(e, n)), limit)
		}
		sample, err := e.Adapter.Query(ctx, sampleFrom, limit)
		if err != nil {
			return withSQL(errorOutcome(err), ran)
		}
		out.Detail = &TestDetail{Severity: n.Test.Severity, Sample: sample}
	}
	return withSQL(out, ran)
}

func storedRelation(e *Executor, n *project.Node) warehouse.Relation {
	s, _ := ddl.Statements(e.Adapter)
	return testhistory.FailuresRelation(s, e.Project.Target.Schema, n.Name)
}

func withSQL(o Outcome, sql string) Outcome {
	o.SQL = sql
	return o
}

// thresholdNote explains a verdict that custom thresholds decided:
// "(error_if >10)", "(warn_if >0; error_if >10 not reached)".
func thresholdNote(t *project.Test, v quality.Outcome) string {
	if t.WarnIf.Op == "" && t.ErrorIf.Op == "" {
		return ""
	}
	warnIf, errorIf := t.WarnIf, t.ErrorIf
	if warnIf.Op == "" {
		warnIf = quality.DefaultCondition
	}
	if errorIf.Op == "" {
		errorIf = quality.DefaultCondition
	}
	switch {
	case v == quality.OutcomeFail:
		return "(error_if " + errorIf.String() + ")"
	case v == quality.OutcomeWarn && t.Severity == quality.SeverityWarn:
		return "(warn_if " + warnIf.String() + ")"
	case v == quality.OutcomeWarn:
		return "(warn_if " + warnIf.String() + "; error_if " + errorIf.String() + " not reached)"
	default:
		return "(below warn_if " + warnIf.String() + ")"
	}
}

// newRowsSQL is the failing-rows query of a new_rows_only test: the
// generic test applied to the rows its incremental model's query selects
// now (rendered with is_incremental() true when the model's table
// exists), not to the table.
func (e *Executor) newRowsSQL(n *project.Node, opts compile.Options) (string, error) {
	p, t := e.Project, n.Test
	mc, err := compile.Compile(p, t.On, opts)
	if err != nil {
		return "", err
	}
	spec := quality.Spec{Test: t.Generic, Query: mc.SQL, Column: t.Column, Where: t.Where}
	switch t.Generic {
	case "accepted_values":
		spec.Values, _ = t.Args["values"].([]any)
	case "relationships":
		to, ok := p.Nodes[t.To]
		if !ok {
			return "", fmt.Errorf("relationships: %s is not in the project", t.To)
		}
		if to.Kind == project.KindModel && to.Config.EffectiveMaterialized() == config.MaterializedEphemeral {
			return "", fmt.Errorf("%s: new_rows_only relationships to an ephemeral model are not supported", n.Name)
		}
		spec.To = p.Dialect.QuoteRelation(compile.RelationOf(to, opts))
		spec.Field, _ = t.Args["field"].(string)
	}
	return quality.FailingRowsSQL(p.Dialect, spec)
}

func asInt(r *warehouse.Result) (int64, error) {
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return 0, fmt.Errorf("count query returned %d rows", len(r.Rows))
	}
	switch v := r.Rows[0][0].(type) {
	case int64:
		return v, nil
	case float64:
		return int64(v), nil
	case string:
		var n int64
		_, err := fmt.Sscan(v, &n)
		return n, err
	}
	return 0, fmt.Errorf("count query returned %T", r.Rows[0][0])
}
