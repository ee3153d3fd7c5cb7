package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/cli"
	"github.com/cdw-dev/cdw/internal/testenv"
)

// An interrupt (the context main cancels on SIGINT/SIGTERM) ends a command
// with exit code 130 and "interrupted" on stderr, whatever it was doing.
// Scripts cannot send signals to an in-process cdw, so this is a Go test.
func TestInterruptedCommandExits130(t *testing.T) {
	dir := t.TempDir()
	root := testenv.RepoRoot(t)
	for _, entry := range []string{"project.yml", "models", "macros", "seeds", "tests", "migrations"} {
		if err := copyMissing(filepath.Join(root, entry), filepath.Join(dir, entry)); err != nil {
			t.Fatal(err)
		}
	}
	cdw := func(ctx context.Context, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(ctx, append([]string{"cdw", "--project-dir", dir}, args...), strings.NewReader(""),
			&stdout, &stderr, cli.WithExtractors(extractors.All()...), cli.WithEnv(func(string) (string, bool) { return "", false }))
		return code, stdout.String(), stderr.String()
	}
	if code, _, stderr := cdw(context.Background(), "migrate", "up"); code != cli.ExitOK {
		t.Fatalf("migrate up: exit %d: %s", code, stderr)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"run"},
		{"build", "--select", "readings+"},
		{"test"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := cdw(cancelled, args...)
			if code != cli.ExitInterrupted {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, cli.ExitInterrupted, stdout, stderr)
			}
			if !strings.HasSuffix(stderr, "interrupted\n") {
				t.Fatalf("stderr does not end with \"interrupted\":\n%s", stderr)
			}
			if strings.Contains(stdout, " OK ") || strings.Contains(stdout, " PASS ") {
				t.Fatalf("an interrupted run built or passed something:\n%s", stdout)
			}
		})
	}
}
