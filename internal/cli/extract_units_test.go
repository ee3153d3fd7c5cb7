package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/billingsim"
)

// The simulator's credentials in these tests.
var billingEnv = map[string]string{
	"CDW_BILLING_TOKEN":    "cli-test-token-4d2a",
	"CDW_BILLING_USERNAME": "cli-test-service",
	"CDW_BILLING_PASSWORD": "cli-test-password-93f1",
}

// withURL returns billingEnv plus the simulator's URLs and extras.
func withURL(url string, extra ...string) map[string]string {
	env := map[string]string{"CDW_BILLING_PUBLIC_URL": url, "CDW_BILLING_INTERNAL_URL": url + "/api"}
	for k, v := range billingEnv {
		env[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// syncBuffer is a bytes.Buffer safe to read while Main writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// cdwAll runs cdw in-process with this project's extractors.
func cdwAll(ctx context.Context, t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := Main(ctx, append([]string{"cdw", "--project-dir", dir}, args...), strings.NewReader(""), &out, &errb,
		WithEnv(lookup), WithExtractors(extractors.All()...))
	return code, out.String(), errb.String()
}

func mustCdw(t *testing.T, dir string, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := cdwAll(context.Background(), t, dir, env, args...)
	if code != 0 {
		t.Fatalf("cdw %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// The first acceptance check: `cdw sample api --listen ADDR` in
// one shell, `cdw extract billing --accounts 1-50` pointed at it in
// another, and the accounts' meter point trees and readings are landed.
func TestSampleAPIServesAndExtractBillingLands(t *testing.T) {
	dir := copyProject(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var simOut, simErr syncBuffer
	simDone := make(chan int, 1)
	lookup := func(k string) (string, bool) { v, ok := billingEnv[k]; return v, ok }
	go func() {
		simDone <- Main(ctx, []string{"cdw", "--project-dir", dir, "sample", "api", "--listen", "127.0.0.1:0", "--seed", "3"},
			strings.NewReader(""), &simOut, &simErr, WithEnv(lookup))
	}()
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+): public API at /, internal API at /api; 500 accounts, data as of 2024-06-30, no faults`)
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == ""; {
		if m := listening.FindStringSubmatch(simOut.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("the simulator did not start:\n%s%s", simOut.String(), simErr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	env := withURL(url)
	mustCdw(t, dir, env, "migrate", "up")
	out := mustCdw(t, dir, env, "extract", "billing", "--accounts", "1-50")
	for _, want := range []string{
		"billing: 50 accounts from --accounts\n",
		"  50/50 accounts (100%), ",
		"local: billing: 50 loaded (",
		"0 unchanged, 0 failed, 0 interrupted; ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("extract output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^  rows:  .*billing_meter_readings [1-9]\d*, .*billing_meterpoints [1-9]\d*, .*billing_registers [1-9]\d*`).MatchString(out) {
		t.Errorf("no rows per table in:\n%s", out)
	}
	show := mustCdw(t, dir, env, "show", "--output", "csv", "--inline",
		"select count(distinct account_id) as accounts from {{ source('billing_api', 'meterpoints') }}")
	if !strings.Contains(show, "accounts\n50\n") {
		t.Errorf("show:\n%s", show)
	}
	// `cdw run --select readings+` then includes them.
	run := mustCdw(t, dir, env, "run", "--select", "readings+")
	if !strings.Contains(run, "built table cdw.readings (") {
		t.Errorf("run:\n%s", run)
	}
	show = mustCdw(t, dir, env, "show", "--output", "csv", "--inline",
		"select source, count(*) > 1000 as many, count(distinct mpxn) >= 50 as points from {{ ref('readings') }} group by source order by source")
	if show != "source,many,points\nbilling,true,true\n" {
		t.Errorf("readings by source:\n%s", show)
	}
	// The next day, nothing new: nothing written.
	out = mustCdw(t, dir, env, "extract", "billing", "--accounts", "1-50")
	if !strings.Contains(out, "local: billing: 0 loaded (0 rows, 0 rejected into raw.rejected_records), 50 unchanged") {
		t.Errorf("second run:\n%s", out)
	}

	stop()
	if code := <-simDone; code != 0 {
		t.Fatalf("sample api exited %d:\n%s%s", code, simOut.String(), simErr.String())
	}
	if !strings.Contains(simOut.String(), "billing API simulator stopped after ") {
		t.Errorf("sample api output:\n%s", simOut.String())
	}
}

// No token or password reaches stdout, stderr or any file the project
// holds (target/, the warehouse file), whatever goes wrong: faults,
// failing accounts, a wrong password.
func TestBillingSecretsAreNeverWritten(t *testing.T) {
	dir := copyProject(t)
	sim, err := billingsim.New(billingsim.Config{Seed: 5, Accounts: 100, Token: billingEnv["CDW_BILLING_TOKEN"],
		Username: billingEnv["CDW_BILLING_USERNAME"], Password: billingEnv["CDW_BILLING_PASSWORD"],
		Faults: billingsim.Faults{Rate: 0.2, SlowDelay: 10 * time.Millisecond, FailAccounts: []int64{4}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sim)
	defer hs.Close()
	env := withURL(hs.URL)
	var printed []string
	record := func(code, want int, out, errOut string) {
		t.Helper()
		printed = append(printed, out, errOut)
		if code != want {
			t.Fatalf("exit %d, want %d\n%s%s", code, want, out, errOut)
		}
	}
	ctx := context.Background()
	code, out, errOut := cdwAll(ctx, t, dir, env, "migrate", "up")
	record(code, 0, out, errOut)
	code, out, errOut = cdwAll(ctx, t, dir, env, "extract", "billing", "--accounts", "1-12")
	record(code, 1, out, errOut)
	if !strings.Contains(out, "  FAIL   billing    4: ") || !strings.Contains(out, "1 failed") {
		t.Errorf("the failing account is not listed:\n%s", out)
	}
	code, out, errOut = cdwAll(ctx, t, dir, env, "run", "--select", "readings+")
	record(code, 0, out, errOut)
	// A wrong password and a wrong token: rejected, never echoed.
	bad := withURL(hs.URL, "CDW_BILLING_PASSWORD", "wrong-password-5e7", "CDW_BILLING_TOKEN", "wrong-token-c21")
	code, out, errOut = cdwAll(ctx, t, dir, bad, "extract", "billing", "--accounts", "20")
	record(code, 1, out, errOut)
	if !strings.Contains(errOut, "refused the credentials") || !strings.Contains(errOut, "HTTP 4") {
		t.Errorf("the rejected login is not reported:\n%s%s", out, errOut)
	}
	secrets := append(sim.Secrets(), "wrong-password-5e7", "wrong-token-c21")
	if len(secrets) < 5 {
		t.Fatalf("no access tokens were issued")
	}
	check := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a secret (%s…)", where, s[:4])
			}
		}
	}
	check("output", strings.Join(printed, "\n"))
	files := 0
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		check(p, string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "target")); err != nil || files < 10 {
		t.Fatalf("expected target/ and the warehouse file to be searched (%d files): %v", files, err)
	}
}

func TestExtractInvocationErrors(t *testing.T) {
	dir := copyProject(t)
	migrated := copyProject(t)
	mustCdw(t, migrated, billingEnv, "migrate", "up")
	noToken := map[string]string{"CDW_BILLING_USERNAME": "u", "CDW_BILLING_PASSWORD": "pw"}
	tests := []struct {
		name   string
		dir    string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"files need --from", dir, nil, []string{"extract"}, 2, `Required flag "from" not set`},
		{"--accounts is for APIs", dir, nil, []string{"extract", "--accounts", "1-5", "--from", "."}, 2, "--accounts applies to API extractors only"},
		{"files and APIs apart", dir, nil, []string{"extract", "d0010", "billing", "--from", "."}, 2, "extract files (d0010) and APIs (billing) in separate commands"},
		{"not migrated", dir, billingEnv, []string{"extract", "billing", "--accounts", "1"}, 2, "does not exist: run `cdw migrate up`"},
		{"bad account list", migrated, billingEnv, []string{"extract", "billing", "--accounts", "x"}, 2, `--accounts: "x" is not an account id`},
		{"no token", migrated, noToken, []string{"extract", "billing", "--accounts", "1"}, 2, "project.yml:"},
		{"bad progress", migrated, billingEnv, []string{"extract", "billing", "--progress", "fancy"}, 2, "--progress must be auto, bar or lines"},
		{"simulator without credentials", dir, nil, []string{"sample", "api", "--listen", "127.0.0.1:0"}, 2, "set $CDW_BILLING_TOKEN, $CDW_BILLING_USERNAME, $CDW_BILLING_PASSWORD"},
		{"simulator bad faults", dir, billingEnv, []string{"sample", "api", "--listen", "127.0.0.1:0", "--faults", "teapot"}, 2, `unknown fault kind "teapot"`},
		{"sample needs --out", dir, nil, []string{"sample"}, 2, `Required flag "out" not set`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cdwAll(context.Background(), t, tc.dir, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, want %d; stderr lacks %q:\n%s\nstdout:\n%s", code, tc.code, tc.stderr, errOut, out)
			}
		})
	}
	// The no-token message names the setting and where it is.
	_, _, errOut := cdwAll(context.Background(), t, migrated, noToken, "extract", "billing", "--accounts", "1")
	if !regexp.MustCompile(`project\.yml:\d+:\d+: extractors\.billing\.token is empty`).MatchString(errOut) {
		t.Errorf("stderr: %s", errOut)
	}
}

// --land lands raw pages in S3 (here an in-process S3 server, reached by
// the real SDK) and loads from there; --from loads a landed prefix into
// another warehouse, a second time without change.
func TestExtractBillingLandsInS3AndReloads(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("landing"); err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer s3srv.Close()
	sim, err := billingsim.New(billingsim.Config{Seed: 2, Accounts: 20, Token: billingEnv["CDW_BILLING_TOKEN"],
		Username: billingEnv["CDW_BILLING_USERNAME"], Password: billingEnv["CDW_BILLING_PASSWORD"]})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sim)
	defer hs.Close()
	env := withURL(hs.URL, "CDW_S3_ENDPOINT", s3srv.URL, "CDW_S3_PATH_STYLE", "true",
		"AWS_ACCESS_KEY_ID", "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY", "cli-s3-secret-77")

	dir := copyProject(t)
	mustCdw(t, dir, env, "migrate", "up")
	out := mustCdw(t, dir, env, "extract", "billing", "--accounts", "1-5", "--land", "s3://landing/cdw")
	if !strings.Contains(out, "billing: 5 accounts from --accounts, landed in s3://landing/cdw first") || !strings.Contains(out, "local: billing: 5 loaded (") {
		t.Fatalf("land:\n%s", out)
	}
	other := copyProject(t)
	mustCdw(t, other, env, "migrate", "up")
	out = mustCdw(t, other, env, "extract", "billing", "--from", "s3://landing/cdw")
	if !strings.Contains(out, "billing: 5 accounts landed under s3://landing/cdw") || !strings.Contains(out, "local: billing: 5 loaded (") {
		t.Fatalf("reload:\n%s", out)
	}
	out = mustCdw(t, other, env, "extract", "billing", "--from", "s3://landing/cdw")
	if !strings.Contains(out, "local: billing: 0 loaded (0 rows, 0 rejected into raw.rejected_records), 5 unchanged") {
		t.Fatalf("second reload:\n%s", out)
	}
	q := "select count(*) as n from raw.billing_meter_readings"
	if a, b := mustCdw(t, dir, env, "show", "--output", "csv", "--inline", q), mustCdw(t, other, env, "show", "--output", "csv", "--inline", q); a != b || a == "n\n0\n" {
		t.Fatalf("readings landed %q, reloaded %q", a, b)
	}
	code, _, errOut := cdwAll(context.Background(), t, other, env, "extract", "billing", "--from", "./pages")
	if code != 2 || !strings.Contains(errOut, "--from takes the s3://bucket/prefix") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
