package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/migrate"
	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/duckdb"
	"github.com/cdw-dev/cdw/internal/warehouse/postgres"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// The simulator's credentials in these tests.
const (
	simToken    = "sim-static-token-7f3a9c"
	simUser     = "cdw-service"
	simPassword = "sim-password-b81d2e"
)

// engine opens fresh migrated warehouses of one kind.
type engine struct {
	name string
	// create makes a new empty warehouse and returns where it is.
	create func(t *testing.T) string
	// connect opens the warehouse at dsn (closed when the test ends).
	connect func(t *testing.T, dsn string) warehouse.Adapter
}

// open creates a migrated warehouse and returns it with its location.
func (e engine) open(t *testing.T) (warehouse.Adapter, string) {
	t.Helper()
	dsn := e.create(t)
	a := e.connect(t, dsn)
	m, err := migrate.New(a.DB(), a.Dialect().Name(), os.DirFS(filepath.Join(testenv.RepoRoot(t), "migrations")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, dsn
}

func engines() []engine {
	return []engine{
		{"duckdb",
			func(t *testing.T) string { return filepath.Join(t.TempDir(), "w.duckdb") },
			func(t *testing.T, dsn string) warehouse.Adapter {
				a, err := duckdb.Open(context.Background(), duckdb.Options{Path: dsn})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a
			}},
		{"postgres",
			func(t *testing.T) string { return testenv.PostgresURL(t) },
			func(t *testing.T, dsn string) warehouse.Adapter {
				a, err := postgres.Open(context.Background(), postgres.Options{URL: dsn, MaxConns: 8})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a
			}},
	}
}

func engineNamed(name string) engine {
	for _, e := range engines() {
		if e.name == name {
			return e
		}
	}
	panic("no engine " + name)
}

// sim starts a simulator over httptest.
func sim(t *testing.T, mod func(*billingsim.Config)) (*billingsim.Server, string) {
	t.Helper()
	cfg := billingsim.Config{Seed: 11, Accounts: 1000, Token: simToken, Username: simUser, Password: simPassword}
	if mod != nil {
		mod(&cfg)
	}
	s, err := billingsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs.URL
}

// faulty is 20% of requests failing, each request at most 3 times in a
// row (the client makes up to 6 attempts), slow responses outlasting the
// client's timeout.
func faulty(c *billingsim.Config) {
	c.Faults = billingsim.Faults{Rate: 0.2, MaxConsecutive: 3, Burst: 3, SlowDelay: time.Second}
}

// settingsFor is the billing settings pointing at a simulator, with
// attempts per request (default 6).
func settingsFor(url string, attempts int, extra string) string {
	if attempts == 0 {
		attempts = 6
	}
	return fmt.Sprintf(`public_url: %s
internal_url: %s/api
token: %s
username: %s
password: %s
concurrency: 8
max_attempts: %d
timeout: 300ms
backoff_base: 1ms
backoff_max: 10ms
%s`, url, url, simToken, simUser, simPassword, attempts, extra)
}

// countingTransport counts requests and calls at(n) before the n-th.
type countingTransport struct {
	n  atomic.Int64
	at func(n int64)
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.n.Add(1)
	if c.at != nil {
		c.at(n)
	}
	return c.rt.RoundTrip(r)
}

type runOpts struct {
	settings    string // extra settings lines
	attempts    int    // max_attempts (default 6)
	getenv      func(string) (string, bool)
	transport   http.RoundTripper
	fullRefresh bool
	observer    func(extract.UnitEvent)
}

// extractAccounts runs the billing extractor over accounts into a.
func extractAccounts(ctx context.Context, t *testing.T, a warehouse.Adapter, url, accounts string, o runOpts) (*extract.UnitReport, error) {
	t.Helper()
	rt := o.transport
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
	}
	e := New(WithTransport(rt))
	plan, err := e.Prepare(ctx, extract.PrepareRequest{Settings: settingsNode(t, settingsFor(url, o.attempts, o.settings)), Units: accounts, Target: "test", Getenv: o.getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	r, err := extract.NewUnitRunner(a, "raw")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckTables(ctx, e); err != nil {
		t.Fatal(err)
	}
	return r.Run(ctx, e, plan, extract.UnitRunOptions{FullRefresh: o.fullRefresh, Observer: o.observer})
}

// mustExtract is extractAccounts that fails the test on an error or a
// failed account.
func mustExtract(t *testing.T, a warehouse.Adapter, url, accounts string, o runOpts) *extract.UnitReport {
	t.Helper()
	rep, err := extractAccounts(context.Background(), t, a, url, accounts, o)
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Failed(); len(f) > 0 {
		t.Fatalf("%d accounts failed, e.g. %s: %v", len(f), f[0].Unit, f[0].Err)
	}
	return rep
}

// digested are the tables compared between runs, with the columns that
// differ between runs of the same data (run ids and clocks) left out.
func digested() map[string][]string {
	out := map[string][]string{}
	for _, s := range streams() {
		for _, c := range s.Columns {
			if c.Name != "load_id" && c.Name != "fetched_at" {
				out["raw."+s.Table] = append(out["raw."+s.Table], c.Name)
			}
		}
	}
	out["raw.extract_cursors"] = []string{"extractor", "unit", "entity", "cursor"}
	out["raw.extract_failures"] = []string{"extractor", "unit", "attempts", "last_error"}
	out["raw.rejected_records"] = []string{"extractor", "file_name", "line_no", "raw_text", "reason"}
	return out
}

// digest renders every compared table as "rows sha256" (rows sorted, so
// order of loading does not matter; values rendered exactly).
func digest(t *testing.T, a warehouse.Adapter) map[string]string {
	t.Helper()
	out := map[string]string{}
	for table, cols := range digested() {
		res, err := a.Query(context.Background(), "select "+strings.Join(cols, ", ")+" from "+table, -1)
		if err != nil {
			t.Fatal(err)
		}
		lines := make([]string, len(res.Rows))
		for i, row := range res.Rows {
			parts := make([]string, len(row))
			for j, v := range row {
				switch x := v.(type) {
				case float64:
					parts[j] = strconv.FormatFloat(x, 'g', -1, 64)
				case time.Time:
					parts[j] = x.UTC().Format(time.RFC3339Nano)
				case nil:
					parts[j] = "∅"
				default:
					parts[j] = fmt.Sprintf("%T:%v", v, v)
				}
			}
			lines[i] = strings.Join(parts, "|")
		}
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d %s", len(lines), hex.EncodeToString(h[:8]))
	}
	return out
}

// sameDigest fails the test where two digests differ.
func sameDigest(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var tables []string
	for k := range want {
		tables = append(tables, k)
	}
	sort.Strings(tables)
	for _, k := range tables {
		if got[k] != want[k] {
			t.Errorf("%s: %s is %s, want %s", what, k, got[k], want[k])
		}
	}
}

// count runs a count(*) query.
func count(t *testing.T, a warehouse.Adapter, sql string) int64 {
	t.Helper()
	res, err := a.Query(context.Background(), sql, 1)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(int64)
}

// lockedBuffer is an io.Writer safe for a child process's two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
