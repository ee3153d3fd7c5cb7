package billing

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/cdw-dev/cdw/internal/billingsim"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/s3land"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// fakeS3 starts an in-process S3-compatible server with a bucket
// "landing" and returns the settings lines pointing the extractor at it.
// The extractor reaches it through the real aws-sdk-go-v2 client.
func fakeS3(t *testing.T) (settings string, store *s3land.Store) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("landing"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(hs.Close)
	store, err := s3land.Open(context.Background(), s3land.Location{Bucket: "landing", Prefix: "cdw"},
		s3land.Options{Endpoint: hs.URL, PathStyle: true, Region: "eu-west-2", Lookup: awsEnv})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("s3: {endpoint: %s, path_style: true, region: eu-west-2}\n", hs.URL), store
}

// awsEnv is the environment the extractor reads credentials from.
func awsEnv(k string) (string, bool) {
	v, ok := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDLANDTEST", "AWS_SECRET_ACCESS_KEY": "land-test-secret"}[k]
	return v, ok
}

// Landing in S3 and loading from there lands exactly what a direct
// extract does; loading the landed prefix again, into the same warehouse
// or a new one, is idempotent — also with several loads under the prefix.
func TestLandedPagesLoadIdempotently(t *testing.T) {
	for _, eng := range engines() {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			s3settings, store := fakeS3(t)
			_, url := sim(t, nil)
			cleanDB, _ := eng.open(t)
			mustExtract(t, cleanDB, url, "1-20", runOpts{})
			want := digest(t, cleanDB)

			// Land, then load from the landed objects.
			landedDB, _ := eng.open(t)
			rep := mustExtract(t, landedDB, url, "1-20", runOpts{settings: s3settings + "land: s3://landing/cdw\n", getenv: awsEnv})
			if rep.Count(extract.UnitCommitted) != 20 {
				t.Fatalf("landed run: %+v", rep.Results)
			}
			sameDigest(t, "land then load", digest(t, landedDB), want)
			keys, err := store.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 20*len(Entities) {
				t.Fatalf("%d objects landed, want %d:\n%s", len(keys), 20*len(Entities), strings.Join(keys, "\n"))
			}
			o, err := s3land.ParseKey("cdw", keys[0])
			if err != nil || o.Source != "billing" || o.LoadID != rep.LoadID || !strings.HasPrefix(o.Part, "account=") {
				t.Fatalf("key %s: %+v %v", keys[0], o, err)
			}

			// Reload the prefix into a new warehouse: the same tables.
			reloadDB, _ := eng.open(t)
			rep = mustLoad(t, reloadDB, s3settings, "")
			if rep.Count(extract.UnitCommitted) != 20 {
				t.Fatalf("reload: %+v", rep.Results)
			}
			sameDigest(t, "reload", digest(t, reloadDB), want)
			// And again: nothing changes.
			rep = mustLoad(t, reloadDB, s3settings, "")
			if rep.Count(extract.UnitUnchanged) != 20 || len(rep.StreamRows) != 0 {
				t.Fatalf("second reload wrote %+v", rep.StreamRows)
			}
			sameDigest(t, "second reload", digest(t, reloadDB), want)

			// A later day lands new readings under a second load; loading
			// the whole prefix (both loads, oldest first) into a new
			// warehouse gives what the incremental warehouse holds.
			_, laterURL := sim(t, func(c *billingsim.Config) { c.AsOf = billingsim.DefaultAsOf.AddDate(0, 1, 0) })
			mustExtract(t, landedDB, laterURL, "1-20", runOpts{settings: s3settings + "land: s3://landing/cdw\n", getenv: awsEnv})
			twice, _ := eng.open(t)
			mustLoad(t, twice, s3settings, "")
			sameDigest(t, "two loads reloaded", digest(t, twice), digest(t, landedDB))
			// A subset of the accounts.
			some, _ := eng.open(t)
			if rep := mustLoad(t, some, s3settings, "3,5"); rep.Count(extract.UnitCommitted) != 2 {
				t.Fatalf("subset: %+v", rep.Results)
			}
		})
	}
}

// mustLoad loads s3://landing/cdw (accounts: all, or a list) into a.
func mustLoad(t *testing.T, a warehouse.Adapter, s3settings, accounts string) *extract.UnitReport {
	t.Helper()
	ctx := context.Background()
	e := New()
	plan, err := e.Prepare(ctx, extract.PrepareRequest{Settings: settingsNode(t, s3settings), From: "s3://landing/cdw", Units: accounts, Getenv: awsEnv})
	if err != nil {
		t.Fatal(err)
	}
	r, err := extract.NewUnitRunner(a, "raw")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, e, plan, extract.UnitRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed()) > 0 {
		t.Fatalf("load failed: %v", rep.Failed()[0].Err)
	}
	return rep
}

func TestFromMustBeALandedPrefix(t *testing.T) {
	_, err := New().Prepare(context.Background(), extract.PrepareRequest{From: "/tmp/pages"})
	if !extract.IsInvalid(err) || !strings.Contains(err.Error(), "--from takes the s3://bucket/prefix") {
		t.Fatalf("err %v", err)
	}
}
