package billing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
)

// Credentials the platform refuses stop the run at once with one error
// that says so: no account is recorded as failed (they would all be
// retried next run for nothing), and few accounts are even tried.
func TestRefusedCredentialsStopTheRun(t *testing.T) {
	for _, tt := range []struct {
		name string
		mod  func(*billingsim.Config)
		want string
	}{
		{"static token (public API)", func(c *billingsim.Config) { c.Token = "another-token" }, "HTTP 401"},
		{"password grant (internal API)", func(c *billingsim.Config) { c.Password = "another-password" }, "/Token: HTTP 400"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := engineNamed("duckdb").open(t)
			srv, url := sim(t, tt.mod)
			rep, err := extractAccounts(context.Background(), t, a, url, "1-200", runOpts{})
			var ae *extract.AbortError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), "refused the credentials") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want the platform refusing the credentials (%s)", err, tt.want)
			}
			if n := rep.Count(extract.UnitFailed); n != 0 {
				t.Errorf("%d accounts recorded as failed", n)
			}
			if n := count(t, a, "select count(*) from raw.extract_failures"); n != 0 {
				t.Errorf("%d rows in raw.extract_failures", n)
			}
			if n := srv.Stats().Requests; n >= 200 {
				t.Errorf("%d requests for 200 accounts: the run did not stop", n)
			}
		})
	}
}
