package testhistory

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/enginetest"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/dialect"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestAppend: the table is created on first use and only ever grows;
// every field lands in its column, NULL where unknown.
func TestAppend(t *testing.T) {
	enginetest.Each(t, func(t *testing.T, a warehouse.Adapter) {
		ctx := enginetest.Ctx(t)
		start := time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC)
		three := int64(3)
		first := []Record{
			{RunID: "run-1", Command: "test", Project: "meter_readings", Target: "local", TargetSchema: "cdw",
				TestID: "test.not_null_readings_mpxn", TestName: "not_null_readings_mpxn", TestType: "generic",
				TestedNode: "model.readings", Column: "mpxn", Severity: "error", Status: "fail", Failures: &three,
				Message: "3 failing row(s)", FailuresRelation: "cdw_meta.failures__cdw__not_null_readings_mpxn",
				GitSHA: "abc123", StartedAt: start, Duration: 1500 * time.Millisecond},
			{RunID: "run-1", Command: "test", Project: "meter_readings", Target: "local", TargetSchema: "cdw",
				TestID: "test.gaps", TestName: "gaps", TestType: "singular", Severity: "warn", Status: "skipped",
				Message: "upstream failed"},
		}
		if err := Append(ctx, a, first, start.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		zero := int64(0)
		if err := Append(ctx, a, []Record{{RunID: "run-2", Command: "build", TestID: "test.gaps", TestName: "gaps",
			TestType: "singular", Severity: "warn", Status: "pass", Failures: &zero, StartedAt: start.Add(time.Hour)}}, start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := Append(ctx, a, nil, start); err != nil {
			t.Fatal(err)
		}
		res := enginetest.Query(t, a, `select run_id, test_name, tested_node, column_name, status, failures, message,
			failures_relation, git_sha, started_at, execution_seconds, recorded_at from cdw_meta.test_results order by run_id, test_id desc`)
		got := fmt.Sprint(res.Rows)
		want := "[[run-1 not_null_readings_mpxn model.readings mpxn fail 3 3 failing row(s) cdw_meta.failures__cdw__not_null_readings_mpxn abc123 2024-03-31 01:30:00 +0000 UTC 1.5 2024-03-31 01:31:00 +0000 UTC] " +
			"[run-1 gaps <nil> <nil> skipped <nil> upstream failed <nil> <nil> <nil> 0 2024-03-31 01:31:00 +0000 UTC] " +
			"[run-2 gaps <nil> <nil> pass 0 <nil> <nil> <nil> 2024-03-31 02:30:00 +0000 UTC 0 2024-03-31 03:30:00 +0000 UTC]]"
		if got != want {
			t.Errorf("history:\n got %s\nwant %s", got, want)
		}
	})
}

func TestFailuresRelation(t *testing.T) {
	pg := dialect.Postgres(150000)
	short := FailuresRelation(pg, "cdw", "unique_readings_reading_id")
	if short.String() != "cdw_meta.failures__cdw__unique_readings_reading_id" {
		t.Errorf("short = %s", short)
	}
	long := "accepted_values_readings_validity_reason__negative__implausible__and_more"
	a, b := FailuresRelation(pg, "cdw_pr_1234", long), FailuresRelation(pg, "cdw_pr_1235", long)
	if len(a.Name) > 63 || len(b.Name) > 63 || a == b || !strings.HasPrefix(a.Name, "failures__cdw_pr_1234__") {
		t.Errorf("long names: %s, %s", a, b)
	}
}

func TestGitSHA(t *testing.T) {
	ctx := context.Background()
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	if got := GitSHA(ctx, t.TempDir(), env(map[string]string{"GITHUB_SHA": "ci-sha", "CI_COMMIT_SHA": "other"})); got != "ci-sha" {
		t.Errorf("from CI = %q", got)
	}
	if got := GitSHA(ctx, t.TempDir(), env(nil)); got != "" {
		t.Errorf("outside a checkout = %q", got)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	os.WriteFile(filepath.Join(dir, "project.yml"), []byte("name: x\n"), 0o644)
	git("add", ".")
	git("commit", "-q", "-m", "one")
	head := git("rev-parse", "HEAD")
	if got := GitSHA(ctx, dir, env(nil)); got != head {
		t.Errorf("clean checkout = %q, want %q", got, head)
	}
	os.WriteFile(filepath.Join(dir, "project.yml"), []byte("name: y\n"), 0o644)
	if got := GitSHA(ctx, dir, env(nil)); got != head+"-dirty" {
		t.Errorf("dirty checkout = %q, want %q", got, head+"-dirty")
	}
}
