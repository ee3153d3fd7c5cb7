// Package testenv gives tests the real things they need: a PostgreSQL
// database of their own and the real input files under ../shared/realdata.
//
// PostgreSQL is found in this order: $CDW_TEST_POSTGRES_URL; the server on
// 127.0.0.1:5432 (user postgres) if it answers; a throwaway cluster started
// from locally installed PostgreSQL binaries (as the postgres user when
// running as root). If none is available the test is skipped — except when
// CI=true, where a missing database or a missing real-data file fails the
// test instead of skipping it.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InCI reports whether tests run under CI=true, where nothing may be skipped
// for want of a database or a real-data file.
func InCI() bool { return os.Getenv("CI") == "true" }

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("CI=true: %s", msg)
	}
	t.Skip(msg)
}

// RepoRoot returns the module root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testenv: cannot locate source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// RealData returns the path of a file or folder under ../shared/realdata
// (relative to the module root), e.g. RealData(t, "kraken-d0010").
func RealData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(realDataDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		unavailable(t, "real data %s not available: %v", p, err)
	}
	return p
}

// realDataDir is $CDW_REALDATA, else ../shared/realdata beside the module.
func realDataDir(t testing.TB) string {
	if dir := os.Getenv("CDW_REALDATA"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(t), "..", "shared", "realdata")
}

// RealDataDir returns the real-data folder, or "" when it is missing — in
// which case, under CI=true, the test fails. For harnesses that decide per
// script whether real data is needed; tests use RealData.
func RealDataDir(t testing.TB) string {
	t.Helper()
	dir := realDataDir(t)
	if _, err := os.Stat(dir); err != nil {
		if InCI() {
			t.Fatalf("CI=true: real data %s not available: %v", dir, err)
		}
		return ""
	}
	return dir
}

var (
	serverOnce sync.Once
	serverURL  string // admin URL of the server to create test databases on
	serverErr  error
	cluster    *throwaway
)

// PostgresURL returns the URL of a new, empty database that is dropped when
// the test ends. Each call gets its own database.
func PostgresURL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(func() { serverURL, serverErr = findServer() })
	if serverErr != nil {
		unavailable(t, "no PostgreSQL available: %v", serverErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatalf("testenv: connect %s: %v", redact(serverURL), err)
	}
	defer admin.Close(ctx)
	name := "cdw_t_" + randomHex(6)
	if _, err := admin.Exec(ctx, "create database "+name); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			t.Logf("testenv: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
			t.Logf("testenv: drop %s: %v", name, err)
		}
	})
	return withDatabase(serverURL, name)
}

// Main wraps testing.M.Run so a throwaway cluster started by PostgresURL is
// stopped when the package's tests finish. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		cluster.stop()
	}
	return code
}

func findServer() (string, error) {
	if u := os.Getenv("CDW_TEST_POSTGRES_URL"); u != "" {
		if err := ping(u); err != nil {
			return "", fmt.Errorf("CDW_TEST_POSTGRES_URL: %w", err)
		}
		return u, nil
	}
	local := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	localErr := ping(local)
	if localErr == nil {
		return local, nil
	}
	c, err := startThrowaway()
	if err != nil {
		return "", fmt.Errorf("127.0.0.1:5432: %v; throwaway cluster: %v", localErr, err)
	}
	cluster = c
	return c.url, nil
}

func ping(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.Ping(ctx)
}

// withDatabase replaces the database name in a postgres:// URL.
func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + db
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// redact hides a password in a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
