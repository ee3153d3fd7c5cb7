package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// ciLine is one command of a CI template: an `export NAME=value` or a
// `bin/cdw ...` invocation. Other lines (make, aws, pipes) are not run
// here: make test is this very test suite, and AWS is not reachable.
type ciLine struct{ text string }

// bitbucketLines returns the script lines of the named step, found among
// the definitions' steps or the custom pipelines.
func bitbucketLines(t *testing.T, doc map[string]any, name string) []string {
	t.Helper()
	var found []string
	var walk func(v any)
	walk = func(v any) {
		if found != nil {
			return // the step is reused through YAML aliases; take it once
		}
		switch x := v.(type) {
		case map[string]any:
			if x["name"] == name {
				for _, l := range x["script"].([]any) {
					if s, ok := l.(string); ok {
						found = append(found, s)
					}
				}
				return
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	if found == nil {
		t.Fatalf("bitbucket-pipelines.yml has no step %q", name)
	}
	return found
}

// githubLines returns the run: lines of a job, after its env: as exports.
func githubLines(t *testing.T, doc map[string]any, job string, expr map[string]string) []string {
	t.Helper()
	j, ok := doc["jobs"].(map[string]any)[job].(map[string]any)
	if !ok {
		t.Fatalf("workflow has no job %q", job)
	}
	sub := func(s string) string {
		return regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`).ReplaceAllStringFunc(s, func(m string) string {
			k := strings.TrimSpace(m[3 : len(m)-2])
			v, ok := expr[k]
			if !ok {
				t.Fatalf("workflow expression %q has no test value", k)
			}
			return v
		})
	}
	var lines []string
	if env, ok := j["env"].(map[string]any); ok {
		for k, v := range env {
			lines = append(lines, "export "+k+"="+sub(v.(string)))
		}
	}
	for _, st := range j["steps"].([]any) {
		if run, ok := st.(map[string]any)["run"].(string); ok && strings.Contains(run, "bin/cdw") && !strings.Contains(run, "aws ") {
			lines = append(lines, strings.Split(strings.TrimSpace(run), "\n")...)
		}
	}
	return lines
}

// runLines runs a template's lines: exports update env (with $VAR and
// ${VAR} expanded), bin/cdw lines run cdw in-process; each must exit 0.
func runLines(t *testing.T, dir string, env map[string]string, lines []string) []string {
	t.Helper()
	var ran []string
	expand := func(s string) string {
		return os.Expand(s, func(k string) string { return env[k] })
	}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "export "):
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
			env[k] = strings.Trim(expand(v), `"`)
		case strings.HasPrefix(l, "bin/cdw "):
			args := strings.Fields(expand(strings.TrimPrefix(l, "bin/cdw ")))
			code, out, errOut := cdwRun(t, dir, env, args...)
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s%s", l, code, out, errOut)
			}
			ran = append(ran, l)
		}
	}
	return ran
}

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s is not valid YAML: %v", path, err)
	}
	return doc
}

// TestCITemplatesRunGreenOnPostgres runs the cdw commands of
// bitbucket-pipelines.yml and .github/workflows/cdw.yml against
// PostgreSQL: a deploy publishes state, each template's pull-request job
// (env, migrate, slim CI with state:modified+ --defer --state into its
// cdw_pr_<n> schema) runs verbatim, then each janitor job drops the PR
// schemas once they are old. The Redshift deploy jobs and the aws/make
// lines are not run (no AWS here; make test is this suite).
func TestCITemplatesRunGreenOnPostgres(t *testing.T) {
	root := testenv.RepoRoot(t)
	bb := loadYAML(t, filepath.Join(root, "bitbucket-pipelines.yml"))
	gh := loadYAML(t, filepath.Join(root, ".github", "workflows", "cdw.yml"))
	url := testenv.PostgresURL(t)
	dir := copyProject(t)
	t.Chdir(dir) // CI runs the commands from the checkout's root

	// Production's state: a deploy of the project (here to the dev target
	// in schema cdw) leaves target/manifest.json, which the deploy jobs
	// publish and the slim-CI jobs fetch as prod-state/.
	env := map[string]string{"CDW_PG_URL": url, "CDW_BRANCH": "main"}
	code, out, errOut := cdwRun(t, dir, env, "deploy", "--target", "dev")
	if code != 0 || !strings.Contains(out, "deploy ci: OK") {
		t.Fatalf("deploy: exit %d\n%s%s", code, out, errOut)
	}
	migrations, err := filepath.Glob(filepath.Join(dir, "migrations", "*.sql"))
	if err != nil || len(migrations) == 0 {
		t.Fatalf("the project's migrations: %v, %v", migrations, err)
	}
	applied := fmt.Sprintf("applied %d migration(s)", len(migrations))
	for _, want := range []string{"  OK       migrate", applied, "  OK       build", "  OK       artifacts", "manifest.json,run_results.json,deploy_results.json}:"} {
		if !strings.Contains(out, want) {
			t.Errorf("deploy summary lacks %q:\n%s", want, out)
		}
	}
	var report struct {
		Steps []struct{ Name, Status string }
	}
	data, err := os.ReadFile(filepath.Join(dir, "target", DeployResultsFile))
	if err != nil || json.Unmarshal(data, &report) != nil || len(report.Steps) != 3 || report.Steps[2].Status != "ok" {
		t.Fatalf("deploy_results.json: %v %s", err, data)
	}
	write(t, dir, "prod-state/manifest.json", mustRead(t, filepath.Join(dir, "target", "manifest.json")))

	// The pull request changes one model.
	valid := filepath.Join(dir, "models", "core", "readings_valid.sql")
	write(t, dir, "models/core/readings_valid.sql", mustRead(t, valid)+"\n-- changed in the pull request\n")

	bbEnv := map[string]string{"CDW_PG_URL": url, "BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_PR_ID": "42", "BITBUCKET_BRANCH": "feature/x", "BITBUCKET_PR_DESTINATION_BRANCH": "develop"}
	ran := runLines(t, dir, bbEnv, bitbucketLines(t, bb, "Slim CI (per-PR schema)"))
	ghEnv := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/43/merge", "GITHUB_HEAD_REF": "feature/y", "GITHUB_BASE_REF": "develop"}
	ran = append(ran, runLines(t, dir, ghEnv, githubLines(t, gh, "slim-ci", map[string]string{
		"secrets.CDW_PG_URL": url, "github.event.pull_request.number": "43",
	}))...)
	if len(ran) != 6 || !strings.Contains(strings.Join(ran, "\n"), "--select state:modified+ --defer --state prod-state") {
		t.Fatalf("ran %q", ran)
	}

	ctx := context.Background()
	a, err := postgres.Open(ctx, postgres.Options{URL: url, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	schemas := func() string {
		res, err := a.Query(ctx, "select coalesce(string_agg(nspname || ':' || (select count(*) from pg_class c where c.relnamespace = n.oid and c.relkind in ('r', 'v')), ',' order by nspname), '') from pg_namespace n where nspname like 'cdw_pr_%'", -1)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0].(string)
	}
	// Each PR schema holds only what changed (readings_valid) and what
	// reads it, its unchanged parents read from the deployed cdw schema.
	code, out, errOut = cdwRun(t, dir, nil, "ls", "--select", "readings_valid+", "--resource-type", "model", "--output", "relation")
	if code != 0 {
		t.Fatalf("ls: exit %d\n%s%s", code, out, errOut)
	}
	changed := len(strings.Fields(out))
	if changed < 2 {
		t.Fatalf("readings_valid+ lists %d relations, want it and what reads it:\n%s", changed, out)
	}
	wantSchemas := fmt.Sprintf("cdw_pr_42:%d,cdw_pr_43:%d", changed, changed)
	if got := schemas(); got != wantSchemas {
		t.Fatalf("PR schemas: %s, want %s", got, wantSchemas)
	}

	// The janitor jobs: nothing is old yet; once the registry says the PR
	// schemas were last used 8 days ago, they go, and cdw stays.
	janitor := append(bitbucketLines(t, bb, "Janitor (per-PR schemas)"), githubLines(t, gh, "janitor", map[string]string{"secrets.CDW_PG_URL": url})...)
	if len(runLines(t, dir, map[string]string{"CDW_PG_URL": url}, janitor)) != 2 || schemas() != wantSchemas {
		t.Fatalf("janitor dropped fresh schemas: %s", schemas())
	}
	if err := a.Exec(ctx, "update cdw_meta.ephemeral_schemas set last_used_at = last_used_at - interval '8 days'"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cdwRun(t, dir, map[string]string{"CDW_PG_URL": url}, strings.Fields(strings.TrimPrefix(janitor[len(janitor)-1], "bin/cdw "))...)
	if code != 0 || !strings.Contains(out, "dropped cdw_pr_42") || !strings.Contains(out, "dropped cdw_pr_43") || schemas() != "" {
		t.Fatalf("janitor: exit %d\n%s%s\nleft: %s", code, out, errOut, schemas())
	}
	if res, err := a.Query(ctx, "select count(*) from cdw.readings_valid", -1); err != nil || len(res.Rows) != 1 {
		t.Fatalf("the deployed schema must survive the janitor: %v", err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
