package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/testenv"
)

func TestMain(m *testing.M) {
	if holdLockIfAsked() {
		return
	}
	os.Exit(testenv.Main(m))
}

// cdwRun runs cdw in-process in project dir with exactly the environment
// env (no variable of the test process leaks in, except through urfave's
// own flag variables, which tests do not set).
func cdwRun(t *testing.T, dir string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	full := append([]string{"cdw", "--project-dir", dir}, args...)
	code = Main(context.Background(), full, strings.NewReader(""), &out, &errb, WithEnv(lookup))
	return code, out.String(), errb.String()
}

// copyProject copies the repository's project (project.yml, selectors,
// models, macros, tests, migrations) into a temporary folder.
func copyProject(t *testing.T) string {
	t.Helper()
	root := testenv.RepoRoot(t)
	dir := t.TempDir()
	for _, entry := range []string{"project.yml", "selectors.yml", "models", "macros", "tests", "migrations", "seeds"} {
		src := filepath.Join(root, entry)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dir, rel), 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestEnvAndGuardInAGitCheckout is the acceptance check: in a git
// checkout of this project, `cdw env` names uat on develop, preprod on
// release/1.2.3 and prod on master, and `cdw deploy --target prod` from
// develop exits non-zero naming the prod guard.
func TestEnvAndGuardInAGitCheckout(t *testing.T) {
	dir := copyProject(t)
	git(t, dir, "init", "-q", "-b", "develop")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "project")
	env := map[string]string{}
	for _, tc := range []struct{ checkout, branch, want, why string }{
		{"", "develop", "uat", `branch develop (from git) matches environments.uat.branches "develop"`},
		{"release/1.2.3", "release/1.2.3", "preprod", `matches environments.preprod.branches "release/*"`},
		{"master", "master", "prod", `matches environments.prod.branches "master"`},
	} {
		if tc.checkout != "" {
			git(t, dir, "checkout", "-q", "-b", tc.checkout)
		}
		code, out, errOut := cdwRun(t, dir, env, "env")
		if code != 0 || !strings.Contains(out, "environment: "+tc.want+"\n") || !strings.Contains(out, "target:      "+tc.want+"\n") || !strings.Contains(out, tc.why) {
			t.Fatalf("on %s: exit %d\n%s%s", tc.branch, code, out, errOut)
		}
	}
	code, out, _ := cdwRun(t, dir, env, "env", "--output", "json")
	var rep envReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Environment != "prod" || !rep.Protected || rep.RefSource != "git" {
		t.Fatalf("json: %d %s", code, out)
	}

	git(t, dir, "checkout", "-q", "develop")
	code, out, errOut := cdwRun(t, dir, env, "deploy", "--target", "prod")
	if code != ExitInvalid || !strings.Contains(errOut, "prod guard: target prod belongs to protected environment prod, but branch develop (from git) deploys to uat") {
		t.Fatalf("deploy --target prod from develop: exit %d\n%s%s", code, out, errOut)
	}
	// Every other command that connects is guarded the same way.
	if code, _, errOut := cdwRun(t, dir, env, "-t", "prod", "migrate", "status"); code != ExitInvalid || !strings.Contains(errOut, "prod guard") {
		t.Fatalf("migrate on prod from develop: exit %d %s", code, errOut)
	}
	if code, _, errOut := cdwRun(t, dir, env, "-t", "prod", "debug"); code != ExitInvalid || !strings.Contains(errOut, "prod guard") {
		t.Fatalf("debug on prod from develop: exit %d %s", code, errOut)
	}
	// A feature branch deploys nowhere.
	git(t, dir, "checkout", "-q", "-b", "feature/meters")
	if code, _, errOut := cdwRun(t, dir, env, "deploy"); code != ExitInvalid || !strings.Contains(errOut, "nothing to deploy: branch feature/meters (from git) matches no environment") {
		t.Fatalf("deploy from a feature branch: exit %d %s", code, errOut)
	}
	// The CI's variables win over git.
	env = map[string]string{"GITLAB_CI": "true", "CI_COMMIT_TAG": "v1.4.0"}
	if code, out, _ := cdwRun(t, dir, env, "env"); code != 0 || !strings.Contains(out, "environment: prod") || !strings.Contains(out, "tag v1.4.0 (from GitLab CI)") {
		t.Fatalf("GitLab tag: %d %s", code, out)
	}
	// A pull request deploys to the ephemeral ci environment only into a
	// schema of its own, never into the target's shared one.
	env = map[string]string{"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_PR_ID": "42", "BITBUCKET_BRANCH": "feature/x", "BITBUCKET_PR_DESTINATION_BRANCH": "develop"}
	if code, out, errOut := cdwRun(t, dir, env, "deploy"); code != ExitInvalid ||
		!strings.Contains(errOut, `deploys to the ephemeral environment ci, but target dev's schema "cdw" does not start with its schema_prefix "cdw_pr_"`) {
		t.Fatalf("PR deploy into the shared schema: exit %d\n%s%s", code, out, errOut)
	}
}

// guardProject is a project whose protected target is a PostgreSQL
// database, so the override can be exercised for real.
func guardProject(t *testing.T, url string) string {
	dir := t.TempDir()
	write(t, dir, "project.yml", `name: guarded
target: local
targets:
  local: {type: duckdb}
  prod: {type: postgres, url: "`+url+`", schema: cdw}
environments:
  prod: {target: prod, branches: [master], protected: true}
`)
	write(t, dir, "migrations/00001_a.sql", "-- +goose Up\ncreate table a (x int);\n-- +goose Down\ndrop table a;\n")
	write(t, dir, "models/m.sql", "select 1 as x\n")
	return dir
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestProdGuardOverrideIsLogged(t *testing.T) {
	dir := guardProject(t, testenv.PostgresURL(t))
	env := map[string]string{"CDW_BRANCH": "develop", "USER": "dana"}
	if code, _, errOut := cdwRun(t, dir, env, "-t", "prod", "migrate", "up"); code != ExitInvalid || !strings.Contains(errOut, "prod guard") {
		t.Fatalf("refused: exit %d %s", code, errOut)
	}
	code, out, errOut := cdwRun(t, dir, env, "-t", "prod", "--override-prod-guard", "migrate", "up")
	if code != 0 || !strings.Contains(errOut, `WARNING: prod guard overridden with --override-prod-guard: target prod used from branch develop (from CDW_BRANCH) by "dana"`) {
		t.Fatalf("override: exit %d\n%s%s", code, out, errOut)
	}
	env["CDW_BRANCH"] = "master"
	if code, out, errOut := cdwRun(t, dir, env, "-t", "prod", "migrate", "status"); code != 0 || strings.Contains(errOut, "WARNING") {
		t.Fatalf("from master: exit %d\n%s%s", code, out, errOut)
	}
	// Without --target, deploy goes to the ref's environment.
	code, out, errOut = cdwRun(t, dir, env, "deploy")
	if code != 0 || !strings.Contains(out, "deploy: branch master → environment prod, target prod") || !strings.Contains(out, "deploy prod: OK") {
		t.Fatalf("deploy from master: exit %d\n%s%s", code, out, errOut)
	}
	// A failing build fails the deploy with exit 1, naming the step.
	write(t, dir, "models/m.sql", "select no_such_column\n")
	code, out, errOut = cdwRun(t, dir, env, "deploy")
	if code != ExitFailed || !strings.Contains(out, "deploy prod: FAILED at build") || !strings.Contains(out, "SKIPPED  artifacts") ||
		!strings.Contains(errOut, "deploy to prod failed at build") {
		t.Fatalf("failing deploy: exit %d\n%s%s", code, out, errOut)
	}
}

// TestSecretsResolvedAtConnectAndRedacted points a target at AWS Secrets
// Manager (a local endpoint speaking its JSON protocol): the user name and
// password come from the secret at connect time, and every field of the
// secret is masked in whatever cdw prints afterwards.
func TestSecretsResolvedAtConnectAndRedacted(t *testing.T) {
	u, err := neturl.Parse(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if pw == "" {
		pw = "Sup3r-Secret-Value" // the test server trusts local connections
	}
	secret, _ := json.Marshal(map[string]string{"username": u.User.Username(), "password": pw, "note": "Sup3r-Secret-Value"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || !strings.Contains(string(body), `"cdw/ci/pg"`) {
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"no such secret"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"Name": "cdw/ci/pg", "SecretString": string(secret)})
	}))
	defer srv.Close()
	dir := t.TempDir()
	write(t, dir, "project.yml", `name: secretive
target: dev
targets:
  dev: {type: postgres, host: "`+u.Hostname()+`", port: `+u.Port()+`, dbname: "`+strings.TrimPrefix(u.Path, "/")+`", sslmode: disable,
        user: "secret://cdw/ci/pg#username", password: "secret://cdw/ci/pg#password", schema: cdw}
  broken: {type: postgres, host: "`+u.Hostname()+`", user: "secret://cdw/ci/missing#username", schema: cdw}
`)
	write(t, dir, "migrations/00001_a.sql", "-- +goose Up\ncreate table a (x int);\n-- +goose Down\ndrop table a;\n")
	write(t, dir, "models/m.sql", "select 1 as x\n")
	env := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": srv.URL,
	}
	if code, out, errOut := cdwRun(t, dir, env, "migrate", "up"); code != 0 || !strings.Contains(out, "applied 1 migration") {
		t.Fatalf("migrate through a secret URL: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := cdwRun(t, dir, env, "show", "--inline", "select 'Sup3r-Secret-Value' as leaked", "--output", "csv")
	if code != 0 || strings.Contains(out+errOut, "Sup3r-Secret-Value") || !strings.Contains(out, "xxxxx") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = cdwRun(t, dir, env, "-t", "broken", "migrate", "up")
	if code == 0 || !strings.Contains(errOut, "read secret://cdw/ci/missing#username from AWS Secrets Manager") {
		t.Fatalf("missing secret: exit %d %s", code, errOut)
	}
}

func TestScheduleList(t *testing.T) {
	dir := copyProject(t)
	code, out, errOut := cdwRun(t, dir, map[string]string{}, "env", "schedules")
	if code != 0 || !strings.Contains(out, "prod (target prod)\n") ||
		!strings.Contains(out, "cdw --target prod extract --from /srv/cdw/inbound && cdw --target prod build --select readings+") ||
		!strings.Contains(out, "0 7 * * *") || strings.Contains(out, "uat (target uat)") {
		t.Fatalf("schedule list: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = cdwRun(t, dir, map[string]string{"CDW_INBOUND_DIR": "/data/in"}, "env", "schedules", "--crontab", "-e", "prod")
	if code != 0 || !strings.Contains(out, "0 18 * * * cd "+dir+" && cdw --target prod extract --from /data/in && ") || strings.Contains(out, "preprod") {
		t.Fatalf("crontab: exit %d\n%s", code, out)
	}
	if code, _, errOut := cdwRun(t, dir, map[string]string{}, "env", "schedules", "-e", "prdo"); code != ExitInvalid || !strings.Contains(errOut, `did you mean "prod"`) {
		t.Fatalf("unknown environment: %d %s", code, errOut)
	}
}
