package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/sample"
)

func sampleCommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name:  "sample",
		Usage: "write deterministic sample input (D0010 flows, half-hourly files) for demos and tests; `sample api` serves a billing-platform simulator",
		Flags: []ucli.Flag{
			// Not Required: urfave/cli would then demand it of `sample api` too.
			&ucli.StringFlag{Name: "out", Usage: "folder to write into (required)"},
			&ucli.Int64Flag{Name: "seed", Value: 1, Usage: "same seed, same files"},
			&ucli.IntFlag{Name: "mpans", Usage: "D0010 meter points (default 40)"},
		},
		Subcommands: []*ucli.Command{sampleAPICommand(s)},
		Action: func(c *ucli.Context) error {
			if c.Args().Present() {
				return invalidf("unknown sample command %q (sample --out DIR, or sample api --listen ADDR)", c.Args().First())
			}
			if c.String("out") == "" {
				return invalidf("Required flag \"out\" not set")
			}
			sum, err := sample.Generate(c.Context, c.String("out"), sample.Options{Seed: c.Int64("seed"), MPANs: c.Int("mpans")})
			if err != nil {
				return invalid(err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %d files to %s: %d D0010 readings (%d malformed), %d half-hourly intervals (%d malformed) for %d meter points; %d reference-data rows (%d malformed)\n",
				len(sum.Files), c.String("out"), sum.D0010Rows, sum.D0010Rejections, sum.HalfHourlyRows, sum.HalfHourlyRejections, len(sum.MPANs),
				sum.ReferenceRows, sum.ReferenceRejections)
			return nil
		},
	}
}

// Environment variables holding the simulator's credentials: the same
// ones project.yml's billing settings read, so both ends agree.
const (
	envBillingToken    = "CDW_BILLING_TOKEN"
	envBillingUser     = "CDW_BILLING_USERNAME"
	envBillingPassword = "CDW_BILLING_PASSWORD"
)

func sampleAPICommand(s *settings) *ucli.Command {
	return &ucli.Command{
		Name: "api",
		Usage: "serve a local billing-platform simulator (public API at /, internal API at /api) until interrupted; " +
			"it accepts the credentials in $" + envBillingToken + ", $" + envBillingUser + " and $" + envBillingPassword,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "listen", Required: true, Usage: "address to serve on, e.g. 127.0.0.1:8089"},
			&ucli.Int64Flag{Name: "seed", Value: 1, Usage: "same seed, same accounts (and faults)"},
			&ucli.IntFlag{Name: "accounts", Value: 500, Usage: "accounts 1..N exist"},
			&ucli.StringFlag{Name: "as-of", Value: billingsim.DefaultAsOf.Format(time.DateOnly), Usage: "the data's date: readings created later are not visible yet"},
			&ucli.IntFlag{Name: "page-size", Value: 25, Usage: "meter readings per page"},
			&ucli.DurationFlag{Name: "token-ttl", Value: time.Hour, Usage: "lifetime of internal-API access tokens"},
			&ucli.Float64Flag{Name: "fault-rate", Usage: "fraction of requests that fail (0..1)"},
			&ucli.StringFlag{Name: "faults", Value: "all", Usage: "fault kinds: " + strings.Join(billingsim.AllFaults, ",")},
			&ucli.IntFlag{Name: "max-consecutive-faults", Value: 3, Usage: "a request fails at most this many times in a row"},
			&ucli.IntFlag{Name: "retry-after", Usage: "seconds a 429 asks the client to wait"},
			&ucli.IntFlag{Name: "burst", Usage: "429s come in bursts of this many"},
			&ucli.DurationFlag{Name: "slow", Value: 2 * time.Second, Usage: "how long a slow response stalls"},
			&ucli.StringFlag{Name: "fail-accounts", Usage: "accounts that always answer 500, e.g. 3,7"},
		},
		Action: func(c *ucli.Context) error { return sampleAPIRun(c, s) },
	}
}

func sampleAPIRun(c *ucli.Context, s *settings) error {
	var missing []string
	creds := map[string]string{}
	for _, k := range []string{envBillingToken, envBillingUser, envBillingPassword} {
		v, ok := s.env(k)
		if !ok || v == "" {
			missing = append(missing, "$"+k)
		}
		creds[k] = v
	}
	if len(missing) > 0 {
		return invalidf("sample api: set %s: the simulator accepts exactly these credentials, and project.yml's billing settings read the same variables", strings.Join(missing, ", "))
	}
	s.redactor.Add(creds[envBillingToken], creds[envBillingPassword])
	asOf, err := time.Parse(time.DateOnly, c.String("as-of"))
	if err != nil {
		return invalidf("--as-of: %v", err)
	}
	kinds, err := billingsim.ParseFaultKinds(c.String("faults"))
	if err != nil {
		return invalidf("--faults: %v", err)
	}
	var failAccounts []int64
	if v := c.String("fail-accounts"); v != "" {
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil {
				return invalidf("--fail-accounts: %q is not an account id", p)
			}
			failAccounts = append(failAccounts, n)
		}
	}
	sim, err := billingsim.New(billingsim.Config{
		Seed: c.Int64("seed"), Accounts: c.Int("accounts"), AsOf: asOf.Add(24*time.Hour - time.Second), PageSize: c.Int("page-size"),
		Token: creds[envBillingToken], Username: creds[envBillingUser], Password: creds[envBillingPassword], TokenTTL: c.Duration("token-ttl"),
		Faults: billingsim.Faults{Rate: c.Float64("fault-rate"), Kinds: kinds, MaxConsecutive: c.Int("max-consecutive-faults"),
			RetryAfterSeconds: c.Int("retry-after"), Burst: c.Int("burst"), SlowDelay: c.Duration("slow"), FailAccounts: failAccounts},
	})
	if err != nil {
		return invalid(err)
	}
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return invalidf("sample api: %v", err)
	}
	faults := "no faults"
	if r := c.Float64("fault-rate"); r > 0 {
		faults = fmt.Sprintf("faults on %.0f%% of requests (%s)", r*100, strings.Join(kinds, ","))
	}
	fmt.Fprintf(c.App.Writer, "billing API simulator listening on http://%s: public API at /, internal API at %s; %d accounts, data as of %s, %s\n",
		ln.Addr(), billingsim.InternalPrefix, c.Int("accounts"), asOf.Format(time.DateOnly), faults)
	if f, ok := c.App.Writer.(interface{ Flush() error }); ok {
		_ = f.Flush() // scripts wait for this line
	}
	if err := sim.Serve(c.Context, ln); err != nil {
		return fmt.Errorf("sample api: %w", err)
	}
	st := sim.Stats()
	fmt.Fprintf(c.App.Writer, "billing API simulator stopped after %d requests (%d faults injected)\n", st.Requests, sum(st.Faults))
	return nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
