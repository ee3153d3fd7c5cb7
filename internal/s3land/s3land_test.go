package s3land

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 starts an in-process S3-compatible server with one bucket and
// returns a Store on it through the real SDK client.
func fakeS3(t *testing.T, url string) *Store {
	t.Helper()
	hs := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(hs.Close)
	loc, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), loc, Options{Endpoint: hs.URL, PathStyle: true, Region: "eu-west-2",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, bucket, prefix string
		ok                 bool
	}{
		{"s3://b", "b", "", true},
		{"s3://b/", "b", "", true},
		{"s3://b/landing/cdw/", "b", "landing/cdw", true},
		{"https://b/x", "", "", false},
		{"s3:///x", "", "", false},
		{"s3://u:p@b/x", "", "", false},
		{"/tmp/x", "", "", false},
	}
	for _, tc := range tests {
		loc, err := ParseURL(tc.in)
		if (err == nil) != tc.ok || loc.Bucket != tc.bucket || loc.Prefix != tc.prefix {
			t.Errorf("ParseURL(%q) = %+v, %v", tc.in, loc, err)
		}
	}
	if got := (Location{Bucket: "b", Prefix: "p/q"}).String(); got != "s3://b/p/q" {
		t.Errorf("String = %s", got)
	}
}

func TestKeyLayoutRoundTrips(t *testing.T) {
	o := Object{Source: "billing", Entity: "readings", Day: time.Date(2024, 7, 1, 23, 0, 0, 0, time.UTC), LoadID: "0190abcd-ef", Part: "account=42"}
	k, err := Key("/landing/cdw/", o)
	if err != nil {
		t.Fatal(err)
	}
	if k != "landing/cdw/billing/readings/dt=2024-07-01/load_id=0190abcd-ef/account=42.ndjson.gz" {
		t.Fatalf("key %s", k)
	}
	back, err := ParseKey("landing/cdw", k)
	if err != nil || back.Source != o.Source || back.Entity != o.Entity || !back.Day.Equal(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)) || back.LoadID != o.LoadID || back.Part != o.Part {
		t.Fatalf("ParseKey = %+v, %v", back, err)
	}
	// Listing a wider prefix still finds the layout in the last segments.
	if back, err := ParseKey("landing", k); err != nil || back.Part != "account=42" {
		t.Fatalf("ParseKey under a shorter prefix = %+v, %v", back, err)
	}
	for _, bad := range []string{"landing/cdw/billing/readings/x.json", "landing/cdw/billing/readings/2024/load_id=1/a.ndjson.gz", "other/billing/r/dt=2024-07-01/load_id=1/a.ndjson.gz"} {
		if _, err := ParseKey("landing/cdw", bad); !errors.Is(err, ErrNotLanded) {
			t.Errorf("ParseKey(%s) = %v", bad, err)
		}
	}
	if _, err := Key("", Object{Source: "billing", Entity: "a/b", LoadID: "1", Part: "p"}); err == nil {
		t.Error("a slash in a segment was accepted")
	}
}

func TestNDJSONRoundTrips(t *testing.T) {
	lines := [][]byte{[]byte(`{"a":1}`), []byte(`{"b":"x y"}`)}
	b, err := EncodeNDJSON(lines)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeNDJSON(b)
	if err != nil || len(back) != 2 || string(back[1]) != `{"b":"x y"}` {
		t.Fatalf("%q %v", back, err)
	}
	if _, err := EncodeNDJSON([][]byte{[]byte("a\nb")}); err == nil {
		t.Error("a line with a newline was accepted")
	}
	if _, err := DecodeNDJSON([]byte("plain")); err == nil {
		t.Error("non-gzip accepted")
	}
}

// Put, Get and a paginated List through the real SDK against an
// in-process S3 server.
func TestStoreAgainstAnS3Server(t *testing.T) {
	s := fakeS3(t, "s3://landing/cdw")
	s.listPage = 3 // several listing pages
	ctx := context.Background()
	var want []string
	for i := 0; i < 8; i++ {
		k, _ := Key("cdw", Object{Source: "billing", Entity: "readings", Day: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), LoadID: "L1", Part: fmt.Sprintf("account=%d", i)})
		body, _ := EncodeNDJSON([][]byte{[]byte(fmt.Sprintf(`{"n":%d}`, i))})
		if err := s.Put(ctx, k, body); err != nil {
			t.Fatal(err)
		}
		want = append(want, k)
	}
	// Outside the prefix: not listed.
	if err := s.Put(ctx, "elsewhere/x.ndjson.gz", []byte("x")); err != nil {
		t.Fatal(err)
	}
	keys, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Fatalf("listed:\n%s", strings.Join(keys, "\n"))
	}
	b, err := s.Get(ctx, want[3])
	if err != nil {
		t.Fatal(err)
	}
	lines, err := DecodeNDJSON(b)
	if err != nil || len(lines) != 1 || string(lines[0]) != `{"n":3}` {
		t.Fatalf("got %q %v", lines, err)
	}
	if _, err := s.Get(ctx, "cdw/missing"); err == nil {
		t.Fatal("a missing key was read")
	}
}
