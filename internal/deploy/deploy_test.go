package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/config"
)

func envOf(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestDetectRefFromCIVariables(t *testing.T) {
	noGit := t.TempDir() // not a checkout: CI variables must decide alone
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Ref
		err  string
	}{
		{"bitbucket branch", map[string]string{"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_BRANCH": "develop"},
			Ref{Kind: Branch, Name: "develop", Source: "Bitbucket Pipelines"}, ""},
		{"bitbucket tag", map[string]string{"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_TAG": "v1.2.3"},
			Ref{Kind: Tag, Name: "v1.2.3", Source: "Bitbucket Pipelines"}, ""},
		{"bitbucket pull request", map[string]string{"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_BRANCH": "feature/x", "BITBUCKET_PR_ID": "12", "BITBUCKET_PR_DESTINATION_BRANCH": "develop"},
			Ref{Kind: PullRequest, Name: "feature/x", PR: "12", Base: "develop", Source: "Bitbucket Pipelines"}, ""},
		{"bitbucket custom pipeline", map[string]string{"BITBUCKET_BUILD_NUMBER": "7"}, Ref{}, "Bitbucket Pipelines sets none"},
		{"github branch", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/release/1.2.3", "GITHUB_REF_NAME": "release/1.2.3", "GITHUB_REF_TYPE": "branch"},
			Ref{Kind: Branch, Name: "release/1.2.3", Source: "GitHub Actions"}, ""},
		{"github tag", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/tags/v2.0.0", "GITHUB_REF_NAME": "v2.0.0", "GITHUB_REF_TYPE": "tag"},
			Ref{Kind: Tag, Name: "v2.0.0", Source: "GitHub Actions"}, ""},
		{"github ref only", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/master"},
			Ref{Kind: Branch, Name: "master", Source: "GitHub Actions"}, ""},
		{"github pull request", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/42/merge", "GITHUB_REF_NAME": "42/merge", "GITHUB_HEAD_REF": "feature/y", "GITHUB_BASE_REF": "develop"},
			Ref{Kind: PullRequest, Name: "feature/y", PR: "42", Base: "develop", Source: "GitHub Actions"}, ""},
		{"github pull request without number", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/heads/x"}, Ref{}, "without refs/pull/N"},
		{"gitlab branch", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "master", "CI_COMMIT_REF_NAME": "master"},
			Ref{Kind: Branch, Name: "master", Source: "GitLab CI"}, ""},
		{"gitlab tag", map[string]string{"GITLAB_CI": "true", "CI_COMMIT_TAG": "v3.1.0", "CI_COMMIT_REF_NAME": "v3.1.0"},
			Ref{Kind: Tag, Name: "v3.1.0", Source: "GitLab CI"}, ""},
		{"gitlab merge request", map[string]string{"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "bugfix/z", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop", "CI_COMMIT_REF_NAME": "bugfix/z"},
			Ref{Kind: PullRequest, Name: "bugfix/z", PR: "5", Base: "develop", Source: "GitLab CI"}, ""},
		{"explicit branch wins over CI", map[string]string{"CDW_BRANCH": "develop", "GITLAB_CI": "true", "CI_COMMIT_BRANCH": "master"},
			Ref{Kind: Branch, Name: "develop", Source: "CDW_BRANCH"}, ""},
		{"explicit tag", map[string]string{"CDW_TAG": "v1.0.0", "CDW_BRANCH": "x"}, Ref{Kind: Tag, Name: "v1.0.0", Source: "CDW_TAG"}, ""},
		{"nothing at all", map[string]string{}, Ref{}, "not a git checkout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DetectRef(context.Background(), envOf(tc.env), noGit)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrNoRef) {
					t.Fatalf("err = %v, want ErrNoRef containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// gitRepo makes a repository with one commit on branch.
func gitRepo(t *testing.T, branch string) (dir string, git func(...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to test local ref detection")
	}
	dir = t.TempDir()
	git = func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", branch)
	git("commit", "-q", "--allow-empty", "-m", "init")
	return dir, git
}

func TestDetectRefFromGit(t *testing.T) {
	routes := config.DefaultEnvironments()
	dir, git := gitRepo(t, "develop")
	for _, tc := range []struct {
		checkout []string
		want     Ref
		env      string
	}{
		{nil, Ref{Kind: Branch, Name: "develop", Source: "git"}, "uat"},
		{[]string{"checkout", "-q", "-b", "release/1.2.3"}, Ref{Kind: Branch, Name: "release/1.2.3", Source: "git"}, "preprod"},
		{[]string{"checkout", "-q", "-b", "master"}, Ref{Kind: Branch, Name: "master", Source: "git"}, "prod"},
		{[]string{"checkout", "-q", "-b", "feature/meters"}, Ref{Kind: Branch, Name: "feature/meters", Source: "git"}, ""},
	} {
		if tc.checkout != nil {
			git(tc.checkout...)
		}
		got, err := DetectRef(context.Background(), envOf(nil), dir)
		if err != nil || got != tc.want {
			t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
		}
		res := Resolve(routes, got)
		if res.Environment.Name != tc.env || res.Matched != (tc.env != "") {
			t.Fatalf("%s resolves to %q (%s), want %q", got, res.Environment.Name, res.Reason, tc.env)
		}
	}
	git("tag", "v1.2.3")
	git("checkout", "-q", "--detach", "v1.2.3")
	got, err := DetectRef(context.Background(), envOf(nil), dir)
	if want := (Ref{Kind: Tag, Name: "v1.2.3", Source: "git"}); err != nil || got != want {
		t.Fatalf("detached at tag: %+v, %v", got, err)
	}
	git("commit", "-q", "--allow-empty", "-m", "more")
	if _, err := DetectRef(context.Background(), envOf(nil), dir); !errors.Is(err, ErrNoRef) || !strings.Contains(err.Error(), "detached") {
		t.Fatalf("detached without tag: %v", err)
	}
}

var testRoutes = []config.EnvironmentRoute{
	{Name: "ci", Target: "ci", PullRequests: true, Ephemeral: true},
	{Name: "uat", Target: "uat", Branches: []string{"develop"}},
	{Name: "preprod", Target: "preprod", Branches: []string{"release/*"}},
	{Name: "prod", Target: "prod", Branches: []string{"master", "main"}, Tags: []string{"v*"}, Protected: true},
	{Name: "hotfix", Target: "prod", Branches: []string{"hotfix/*"}},
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		ref    Ref
		env    string
		reason string
	}{
		{Ref{Kind: Branch, Name: "develop", Source: "git"}, "uat", `branch develop (from git) matches environments.uat.branches "develop"`},
		{Ref{Kind: Branch, Name: "release/1.2.3", Source: "git"}, "preprod", `matches environments.preprod.branches "release/*"`},
		{Ref{Kind: Branch, Name: "release/1.2/x", Source: "git"}, "", "matches no environment (ci: pull requests; uat: develop; preprod: release/*; prod: master, main, tags v*; hotfix: hotfix/*)"},
		{Ref{Kind: Branch, Name: "main", Source: "git"}, "prod", `environments.prod.branches "main"`},
		{Ref{Kind: Tag, Name: "v1.2.3", Source: "GitLab CI"}, "prod", `tag v1.2.3 (from GitLab CI) matches environments.prod.tags "v*"`},
		{Ref{Kind: Tag, Name: "develop", Source: "git"}, "", "matches no environment"},
		{Ref{Kind: PullRequest, PR: "9", Name: "feature/x", Base: "develop", Source: "GitHub Actions"}, "ci", "pull request #9 (feature/x → develop) (from GitHub Actions) goes to environments.ci (pull_requests: true)"},
	} {
		res := Resolve(testRoutes, tc.ref)
		if res.Environment.Name != tc.env || !strings.Contains(res.Reason, tc.reason) {
			t.Errorf("%s: env %q reason %q; want %q containing %q", tc.ref, res.Environment.Name, res.Reason, tc.env, tc.reason)
		}
	}
}

func TestGuard(t *testing.T) {
	at := func(kind RefKind, name string) Resolution {
		return Resolve(testRoutes, Ref{Kind: kind, Name: name, Source: "git"})
	}
	for _, tc := range []struct {
		target string
		res    Resolution
		refuse string
	}{
		{"prod", at(Branch, "master"), ""},
		{"prod", at(Tag, "v1.0.0"), ""},
		{"prod", at(Branch, "develop"), "prod guard: target prod belongs to protected environment prod, but branch develop (from git) deploys to uat"},
		{"prod", at(Branch, "feature/x"), "branch feature/x (from git) deploys to no environment"},
		// hotfix/* deploys to the prod target through an unprotected
		// environment: still refused, the target is what is protected.
		{"prod", at(Branch, "hotfix/1"), "deploys to hotfix"},
		{"uat", at(Branch, "feature/x"), ""},
		{"local", at(Branch, "develop"), ""},
	} {
		err := Guard(testRoutes, tc.target, tc.res)
		if tc.refuse == "" {
			if err != nil {
				t.Errorf("%s from %s: %v", tc.target, tc.res.Ref, err)
			}
			continue
		}
		var ge *GuardError
		if !errors.As(err, &ge) || !errors.Is(err, ErrGuard) || !strings.Contains(err.Error(), tc.refuse) || !strings.Contains(err.Error(), "--override-prod-guard") {
			t.Errorf("%s from %s: %v; want a GuardError containing %q", tc.target, tc.res.Ref, err, tc.refuse)
		}
	}
	if !IsProtected(testRoutes, "prod") || IsProtected(testRoutes, "uat") {
		t.Error("IsProtected")
	}
}

func TestReportRunsStepsInOrderAndStopsAtFailure(t *testing.T) {
	var ran []string
	step := func(name, summary string, err error) Step {
		return Step{Name: name, Run: func(context.Context) (string, error) { ran = append(ran, name); return summary, err }}
	}
	r := &Report{Environment: "uat", Target: "uat", Ref: "branch develop"}
	err := r.Run(context.Background(), []Step{
		step("migrate", "applied 2 migrations", nil),
		step("build", "3 errors", errors.New("3 nodes failed\nmore detail")),
		step("artifacts", "", nil),
	})
	if err == nil || !strings.Contains(err.Error(), "deploy step build: 3 nodes failed") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(ran, ",") != "migrate,build" || r.OK() || r.FailedStep() != "build" {
		t.Fatalf("ran %v ok=%v failed=%q", ran, r.OK(), r.FailedStep())
	}
	var buf bytes.Buffer
	if err := r.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"deploy summary: environment uat, target uat, branch develop\n", "  OK       migrate ", "applied 2 migrations\n",
		"  FAILED   build ", "error: 3 nodes failed …\n", "  SKIPPED  artifacts\n", "deploy uat: FAILED at build\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	path := filepath.Join(t.TempDir(), "target", "deploy_results.json")
	if err := r.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	var back Report
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &back); err != nil || len(back.Steps) != 3 || back.Steps[2].Status != StatusSkipped || back.Steps[1].Error == "" {
		t.Fatalf("json round trip: %v %+v", err, back)
	}
}

func TestReportAllOKAndInterrupted(t *testing.T) {
	r := &Report{Environment: "prod"}
	if err := r.Run(context.Background(), []Step{{Name: "a", Run: func(context.Context) (string, error) { return "", nil }}}); err != nil || !r.OK() {
		t.Fatalf("all ok: %v %v", err, r.OK())
	}
	var buf bytes.Buffer
	_ = r.WriteSummary(&buf)
	if !strings.HasSuffix(buf.String(), "deploy prod: OK\n") {
		t.Fatalf("summary: %s", buf.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	r = &Report{Environment: "prod"}
	err := r.Run(ctx, []Step{
		{Name: "a", Run: func(context.Context) (string, error) { cancel(); return "", nil }},
		{Name: "b", Run: func(context.Context) (string, error) { t.Fatal("b ran after cancel"); return "", nil }},
	})
	if !errors.Is(err, context.Canceled) || !r.Interrupted || r.OK() || r.Steps[1].Status != StatusSkipped {
		t.Fatalf("interrupted: %v %+v", err, r)
	}
	if (&Report{}).OK() {
		t.Fatal("an empty report is not OK")
	}
}
