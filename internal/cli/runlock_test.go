package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

// holderEnv makes the test binary a lock holder (see holdLockIfAsked):
// "duckdb:PATH" opens the DuckDB file, "postgres:URL" takes the run lock
// of project lockproj there. It prints "held" and waits until killed.
const holderEnv = "CDW_TEST_LOCK_HOLDER"

// holdLockIfAsked runs the holder when the environment asks for it and
// reports whether it did; TestMain exits then.
func holdLockIfAsked() bool {
	spec := os.Getenv(holderEnv)
	if spec == "" {
		return false
	}
	ctx := context.Background()
	kind, where, _ := strings.Cut(spec, ":")
	var a warehouse.Adapter
	var err error
	switch kind {
	case "duckdb":
		a, err = duckdb.Open(ctx, duckdb.Options{Path: where})
	case "postgres":
		a, err = postgres.Open(ctx, postgres.Options{URL: where})
	default:
		err = fmt.Errorf("unknown holder %q", spec)
	}
	if err == nil {
		_, err = a.Lock(ctx, "cdw:lockproj")
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("held")
	select {} // until killed: a crash, not a clean unlock
}

// startHolder starts a holder process and waits until it holds the lock.
func startHolder(t *testing.T, spec string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), holderEnv+"="+spec)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("holder process: %q %v", line, err)
	}
	return cmd
}

// lockProject writes a one-model project whose local target is a DuckDB
// file and whose dev target is the PostgreSQL database url.
func lockProject(t *testing.T, url string) (dir, duckPath string) {
	dir = t.TempDir()
	duckPath = filepath.Join(dir, "lock.duckdb")
	files := map[string]string{
		"project.yml": fmt.Sprintf(`name: lockproj
target: local
targets:
  local: {type: duckdb, path: %q, schema: main}
  dev: {type: postgres, url: %q, schema: lockproj}
`, duckPath, url),
		"models/one.sql": "select 1 as x\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, duckPath
}

// A second run on a PostgreSQL target fails at once with --lock-timeout 0,
// naming the holding process; waits for a holder that goes away; and runs
// once a crashed holder's session has ended.
func TestRunLockOnPostgresNamesTheHolderWaitsAndSurvivesACrash(t *testing.T) {
	url := testenv.PostgresURL(t)
	dir, _ := lockProject(t, url)
	holder := startHolder(t, "postgres:"+url)

	code, _, errOut := cdwAll(context.Background(), t, dir, nil, "run", "--target", "dev", "--lock-timeout", "0")
	if code != ExitFailed {
		t.Fatalf("run while locked: exit %d, want %d\n%s", code, ExitFailed, errOut)
	}
	want := fmt.Sprintf("another run holds the run lock of lockproj: cdw pid %d on ", holder.Process.Pid)
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, "--lock-timeout") {
		t.Errorf("stderr does not name the holder (want %q):\n%s", want, errOut)
	}

	// The holder crashes while a second run waits: the server ends its
	// session, the lock goes with it, and the waiting run goes ahead.
	go func() {
		time.Sleep(time.Second)
		_ = holder.Process.Kill()
	}()
	code, out, errOut := cdwAll(context.Background(), t, dir, nil, "run", "--target", "dev", "--lock-timeout", "2m")
	if code != ExitOK {
		t.Fatalf("run after the holder crashed: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "waiting up to 2m0s for the run lock of lockproj on target dev, held by cdw pid "+strconv.Itoa(holder.Process.Pid)) {
		t.Errorf("the waiting run did not say for whom it waits:\n%s", errOut)
	}
}

// On DuckDB the file admits one process: a second run fails naming the
// process that holds the file, and runs once that process is gone.
func TestRunLockOnDuckDBNamesTheHolderAndSurvivesACrash(t *testing.T) {
	dir, path := lockProject(t, "postgres://unused")
	holder := startHolder(t, "duckdb:"+path)

	code, _, errOut := cdwAll(context.Background(), t, dir, nil, "run", "--lock-timeout", "0")
	if code != ExitFailed {
		t.Fatalf("run while the file is held: exit %d, want %d\n%s", code, ExitFailed, errOut)
	}
	want := fmt.Sprintf("DuckDB file %s is in use by %s pid %d", path, filepath.Base(os.Args[0]), holder.Process.Pid)
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr does not name the holder (want %q):\n%s", want, errOut)
	}

	go func() {
		time.Sleep(time.Second)
		_ = holder.Process.Kill()
	}()
	code, out, errOut := cdwAll(context.Background(), t, dir, nil, "run", "--lock-timeout", "2m")
	if code != ExitOK {
		t.Fatalf("run after the holder crashed: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "waiting up to 2m0s: DuckDB file "+path+" is in use by") {
		t.Errorf("the waiting run did not say what it waits for:\n%s", errOut)
	}
}
