// Package s3land lands raw extract data in S3 (or an S3-compatible store)
// through aws-sdk-go-v2, and reads it back: gzip-compressed NDJSON objects
// under a fixed key layout, listed with pagination.
//
// Key layout (see Key):
//
//	<prefix>/<source>/<entity>/dt=<YYYY-MM-DD>/load_id=<load id>/<part>.ndjson.gz
//
// e.g. landing/billing/readings/dt=2024-07-01/load_id=0190…/account=42.ndjson.gz:
// one object per source, entity, day, load and part (for the billing
// extractor a part is one account), so a load never overwrites another and
// a prefix can be reloaded whole or in part.
package s3land

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
)

// Location is an s3://bucket/prefix URL, Prefix without slashes at either end.
type Location struct {
	Bucket, Prefix string
}

func (l Location) String() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// ParseURL parses "s3://bucket[/prefix]".
func ParseURL(s string) (Location, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Location{}, fmt.Errorf("s3land: %q is not an s3://bucket/prefix URL", s)
	}
	return Location{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}, nil
}

// Options configure Open.
type Options struct {
	// Region (default: AWS_REGION / AWS_DEFAULT_REGION from Lookup, else
	// the SDK's default chain, else eu-west-2).
	Region string
	// Endpoint overrides the S3 endpoint (S3-compatible stores, tests).
	Endpoint string
	// PathStyle addresses buckets as a path, as most S3-compatible stores need.
	PathStyle bool
	// Lookup reads the environment for AWS_REGION, AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which take precedence
	// over the SDK's default chain (nil: the chain alone).
	Lookup func(string) (string, bool)
	// Credentials, when set, are used instead of Lookup and the chain.
	Credentials aws.CredentialsProvider
	// HTTPClient is the SDK's HTTP client (default the SDK's own).
	HTTPClient *http.Client
}

// Store reads and writes objects under one Location. It is safe for
// concurrent use.
type Store struct {
	client   *s3.Client
	loc      Location
	listPage int32 // keys per listing page (0: the server's default, 1000 on S3)
}

// Open returns a Store for loc. It does not contact S3.
func Open(ctx context.Context, loc Location, opts Options) (*Store, error) {
	lookup := opts.Lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	var lo []func(*awsconfig.LoadOptions) error
	region := opts.Region
	if region == "" {
		region = first(lookup, "AWS_REGION", "AWS_DEFAULT_REGION")
	}
	if region != "" {
		lo = append(lo, awsconfig.WithRegion(region))
	}
	switch {
	case opts.Credentials != nil:
		lo = append(lo, awsconfig.WithCredentialsProvider(opts.Credentials))
	case first(lookup, "AWS_ACCESS_KEY_ID") != "" && first(lookup, "AWS_SECRET_ACCESS_KEY") != "":
		lo = append(lo, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			first(lookup, "AWS_ACCESS_KEY_ID"), first(lookup, "AWS_SECRET_ACCESS_KEY"), first(lookup, "AWS_SESSION_TOKEN"))))
	}
	if opts.HTTPClient != nil {
		lo = append(lo, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	// The SDK's own log lines (e.g. its IMDS fallbacks) are not cdw's
	// output; failures reach the caller as errors.
	lo = append(lo, awsconfig.WithLogger(logging.Nop{}))
	cfg, err := awsconfig.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("s3land: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "eu-west-2"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = opts.PathStyle
		// Checksums only where S3 requires them: S3-compatible stores do
		// not all take the SDK's default trailing checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Store{client: client, loc: loc}, nil
}

func first(lookup func(string) (string, bool), keys ...string) string {
	for _, k := range keys {
		if v, ok := lookup(k); ok && v != "" {
			return v
		}
	}
	return ""
}

// Check resolves the store's AWS credentials without touching the bucket,
// so a run that would land pages fails before it calls any API rather
// than once per account. (Access to the bucket itself shows on the first
// Put: a role may write without being allowed to list or head.)
func (s *Store) Check(ctx context.Context) error {
	creds := s.client.Options().Credentials
	if creds == nil {
		return nil
	}
	if _, err := creds.Retrieve(ctx); err != nil {
		return fmt.Errorf("s3land: no AWS credentials for %s (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role): %w", s.loc, err)
	}
	return nil
}

// Location returns the store's location.
func (s *Store) Location() Location { return s.loc }

// Put writes body at key (relative to the bucket, as Key returns).
func (s *Store) Put(ctx context.Context, key string, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.loc.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/x-ndjson"), ContentEncoding: aws.String("gzip"),
	})
	if err != nil {
		return fmt.Errorf("s3land: put s3://%s/%s: %w", s.loc.Bucket, key, err)
	}
	return nil
}

// Get reads the object at key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.loc.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("s3land: get s3://%s/%s: %w", s.loc.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3land: read s3://%s/%s: %w", s.loc.Bucket, key, err)
	}
	return b, nil
}

// List returns every key under the store's prefix (all pages of the
// listing), sorted.
func (s *Store) List(ctx context.Context) ([]string, error) {
	prefix := s.loc.Prefix
	if prefix != "" {
		prefix += "/"
	}
	var keys []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.loc.Bucket), Prefix: aws.String(prefix)}
	if s.listPage > 0 {
		in.MaxKeys = aws.Int32(s.listPage)
	}
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3land: list %s: %w", s.loc, err)
		}
		for _, o := range page.Contents {
			if o.Key != nil {
				keys = append(keys, *o.Key)
			}
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// ErrNotLanded reports a key outside the layout.
var ErrNotLanded = errors.New("not a landed object")
