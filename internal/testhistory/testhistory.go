// Package testhistory keeps cdw's record of test results in the warehouse,
// in the cdw-owned schema cdw_meta (ddl.MetaSchema):
//
//   - cdw_meta.test_results, append-only: one row per test (data test or
//     unit test) per run, whatever its status — pass, warn, fail, error or
//     skipped — with the failing-row count, run id, git commit and time.
//     Rows are never updated or deleted by cdw.
//   - one table per test with store_failures, holding that test's failing
//     rows from its latest run (replaced atomically each run; empty when
//     the test passed). Its name joins the target schema and the test
//     name (FailuresRelation), so targets sharing a warehouse do not
//     overwrite each other's.
//
// The schema and tables are created on first use on every engine.
package testhistory

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// ResultsTable is the name of the history table in ddl.MetaSchema.
const ResultsTable = "test_results"

// Results is the history table.
func Results() warehouse.Relation {
	return warehouse.Relation{Schema: ddl.MetaSchema, Name: ResultsTable}
}

// failuresPrefix starts the name of every stored-failures table.
const failuresPrefix = "failures__"

// FailuresRelation is the table that keeps the latest failing rows of the
// test called testName run on a target whose schema is targetSchema:
// cdw_meta."failures__<target schema>__<test name>", shortened with a hash
// to the engine's identifier limit.
func FailuresRelation(s warehouse.Statements, targetSchema, testName string) warehouse.Relation {
	name := warehouse.TempName(failuresPrefix+targetSchema+"__"+testName, "", s.MaxIdentifierLength())
	return warehouse.Relation{Schema: ddl.MetaSchema, Name: name}
}

// Record is one row of the history table.
type Record struct {
	// RunID is the invocation id, shared with run_results.json.
	RunID string
	// Command is run, test or build.
	Command      string
	Project      string
	Target       string
	TargetSchema string
	// TestID is cdw's node id; TestName its name; TestType generic,
	// singular or unit.
	TestID, TestName, TestType string
	// TestedNode is the id of the node under test ("" for singular tests);
	// Column its column ("" when none).
	TestedNode, Column string
	Severity           string
	// Status is pass, warn, fail, error or skipped.
	Status string
	// Failures is the failing-row count (nil when the test did not count:
	// error or skipped).
	Failures *int64
	Message  string
	// FailuresRelation is where the failing rows were stored ("" = not).
	FailuresRelation string
	// GitSHA is the project's commit ("" when unknown).
	GitSHA    string
	StartedAt time.Time
	Duration  time.Duration
}

// columns of the history table, in order.
var columns = []ddl.Column{
	{Name: "run_id", Type: "text"},
	{Name: "command", Type: "text"},
	{Name: "project", Type: "text"},
	{Name: "target", Type: "text"},
	{Name: "target_schema", Type: "text"},
	{Name: "test_id", Type: "text"},
	{Name: "test_name", Type: "text"},
	{Name: "test_type", Type: "text"},
	{Name: "tested_node", Type: "text"},
	{Name: "column_name", Type: "text"},
	{Name: "severity", Type: "text"},
	{Name: "status", Type: "text"},
	{Name: "failures", Type: "bigint"},
	{Name: "message", Type: "text"},
	{Name: "failures_relation", Type: "text"},
	{Name: "git_sha", Type: "text"},
	{Name: "started_at", Type: "timestamp"},
	{Name: "execution_seconds", Type: "double precision"},
	{Name: "recorded_at", Type: "timestamp"},
}

// Columns returns the history table's columns (name and SQL type).
func Columns() []ddl.Column { return append([]ddl.Column(nil), columns...) }

// Append adds recs to the history table, creating cdw_meta and the table
// when missing, with one bulk load (COPY / appender). Times are stored as
// UTC timestamps; recordedAt stamps every row. Nothing is written when
// recs is empty.
func Append(ctx context.Context, a warehouse.Adapter, recs []Record, recordedAt time.Time) error {
	if len(recs) == 0 {
		return nil
	}
	if err := ensureTable(ctx, a); err != nil {
		return err
	}
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.Name
	}
	src := &recordRows{recs: recs, recordedAt: recordedAt.UTC(), i: -1}
	if _, err := a.BulkLoad(ctx, Results(), names, src); err != nil {
		return fmt.Errorf("test history: append to %s: %w", Results(), err)
	}
	return nil
}

// ensureTable creates cdw_meta.test_results if it is missing. Two runs
// creating it at once may conflict; the loser finds it there.
func ensureTable(ctx context.Context, a warehouse.Adapter) error {
	s, err := ddl.Statements(a)
	if err != nil {
		return err
	}
	if _, ok, err := a.RelationKind(ctx, Results()); err == nil && ok {
		return nil
	}
	if err := ddl.EnsureSchema(ctx, a, ddl.MetaSchema); err != nil {
		return fmt.Errorf("test history: %w", err)
	}
	err = a.Exec(ctx, ddl.CreateTable(s, Results(), columns, true))
	if err != nil {
		if _, ok, kerr := a.RelationKind(ctx, Results()); kerr == nil && ok {
			return nil
		}
		return fmt.Errorf("test history: create %s: %w", Results(), err)
	}
	return nil
}

// recordRows streams records as a warehouse.RowSource.
type recordRows struct {
	recs       []Record
	recordedAt time.Time
	i          int
}

func (r *recordRows) Next() bool { r.i++; return r.i < len(r.recs) }
func (r *recordRows) Err() error { return nil }

func (r *recordRows) Values() ([]any, error) {
	rec := r.recs[r.i]
	var failures any
	if rec.Failures != nil {
		failures = *rec.Failures
	}
	return []any{
		rec.RunID, rec.Command, rec.Project, rec.Target, rec.TargetSchema,
		rec.TestID, rec.TestName, rec.TestType, nullable(rec.TestedNode), nullable(rec.Column),
		rec.Severity, rec.Status, failures, nullable(rec.Message), nullable(rec.FailuresRelation),
		nullable(rec.GitSHA), utcWall(rec.StartedAt), rec.Duration.Seconds(), r.recordedAt,
	}, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// utcWall is t as a UTC wall clock, or NULL for the zero time.
func utcWall(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// gitEnv are the variables CI systems (and cdw's own) set to the commit
// being built, in the order they are consulted.
var gitEnv = []string{"CDW_GIT_SHA", "GITHUB_SHA", "CI_COMMIT_SHA", "BITBUCKET_COMMIT"}

// GitSHA returns the commit the project is at: the first of CDW_GIT_SHA,
// GITHUB_SHA, CI_COMMIT_SHA and BITBUCKET_COMMIT that env has, else `git
// rev-parse HEAD` in dir (bounded to a few seconds), else "" (not a git
// checkout, or no git). A checkout with uncommitted changes gets
// "-dirty" appended, so a result is never attributed to a commit that
// did not produce it.
func GitSHA(ctx context.Context, dir string, env func(string) (string, bool)) string {
	if env != nil {
		for _, k := range gitEnv {
			if v, ok := env(k); ok && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	sha := strings.TrimSpace(string(out))
	status, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no", "--", ".").Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		sha += "-dirty"
	}
	return sha
}
