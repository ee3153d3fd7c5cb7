package redshift_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/warehouse/redshift"
	"github.com/cdw-dev/cdw/internal/warehouse/warehousetest"
)

// The live suite runs on a real Redshift cluster and S3 bucket:
//
//	CDW_TEST_REDSHIFT_URL       postgres://user:pass@cluster:5439/dev (a user that may CREATE DATABASE)
//	CDW_TEST_REDSHIFT_BUCKET    bucket for staged loads
//	CDW_TEST_REDSHIFT_IAM_ROLE  role the cluster assumes to read it
//	CDW_TEST_REDSHIFT_REGION    the bucket's region (optional)
//
// AWS credentials for S3 come from the SDK's default chain. Without these
// variables the suite is skipped, even under CI=true: no Redshift exists
// in this project's CI.

type live struct{ url, bucket, role, region string }

func liveConfig(t *testing.T) live {
	t.Helper()
	l := live{
		url: os.Getenv("CDW_TEST_REDSHIFT_URL"), bucket: os.Getenv("CDW_TEST_REDSHIFT_BUCKET"),
		role: os.Getenv("CDW_TEST_REDSHIFT_IAM_ROLE"), region: os.Getenv("CDW_TEST_REDSHIFT_REGION"),
	}
	if l.url == "" || l.bucket == "" || l.role == "" {
		t.Skip("live Redshift suite skipped: set CDW_TEST_REDSHIFT_URL, CDW_TEST_REDSHIFT_BUCKET and CDW_TEST_REDSHIFT_IAM_ROLE to run it against a real cluster")
	}
	return l
}

// openLive creates a database of its own on the cluster, opens the adapter
// on it with S3 staging, and drops the database afterwards.
func openLive(t *testing.T, l live) *redshift.Adapter {
	t.Helper()
	ctx := context.Background()
	admin, err := redshift.Open(ctx, redshift.Options{URL: l.url, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if !admin.IsRedshift() {
		t.Fatalf("CDW_TEST_REDSHIFT_URL is not a Redshift cluster: %s", admin.Version())
	}
	name := "cdw_test_" + strings.ReplaceAll(uuid.NewString()[:18], "-", "")
	if err := admin.Exec(ctx, "create database "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin.Exec(context.Background(), "drop database "+name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(l.url)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if l.region != "" {
			o.Region = l.region
		}
	})
	a, err := redshift.Open(ctx, redshift.Options{URL: u.String(), MaxConns: 8, Staging: &redshift.Staging{
		S3: client, Bucket: l.bucket, Prefix: "cdw-test/" + name, IAMRole: l.role, Region: l.region,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestLiveConformance(t *testing.T) {
	l := liveConfig(t)
	warehousetest.Run(t, func(t *testing.T) warehouse.Adapter { return openLive(t, l) })
}

func TestLiveLateBindingViewsSurviveSwaps(t *testing.T) {
	l := liveConfig(t)
	a := openLive(t, l)
	ctx := context.Background()
	model := warehouse.Relation{Schema: "cdw", Name: "readings"}
	if _, err := warehouse.BuildTable(ctx, a, model, "select 1 as k"); err != nil {
		t.Fatal(err)
	}
	view := warehouse.Relation{Schema: "reports", Name: "n"}
	if err := warehouse.BuildView(ctx, a, view, `select count(*) as n from "cdw"."readings"`); err != nil {
		t.Fatal(err)
	}
	if _, err := warehouse.BuildTable(ctx, a, model, "select 1 as k union all select 2"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Query(ctx, `select n from "reports"."n"`, -1)
	if err != nil || res.Rows[0][0] != int64(2) {
		t.Fatalf("late-binding view after swap: %v %v", res, err)
	}
	cols, err := a.Columns(ctx, view)
	if err != nil || len(cols) != 1 || cols[0].Name != "n" {
		t.Fatalf("late-binding view columns: %+v %v", cols, err)
	}
}

func TestLiveMergeLandsThroughS3(t *testing.T) {
	l := liveConfig(t)
	a := openLive(t, l)
	ctx := context.Background()
	if err := a.Exec(ctx, "create table meters (mpan varchar(13), serial varchar(20), at timestamp)"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	rows := func(serial string, n int) warehouse.RowSource {
		var rs [][]any
		for i := range n {
			rs = append(rs, []any{fmt.Sprintf("19000000000%02d", i), serial, at})
		}
		return &sliceRows{rows: rs}
	}
	if n, err := a.BulkLoad(ctx, warehouse.Relation{Name: "meters"}, []string{"mpan", "serial", "at"}, rows("A", 10)); err != nil || n != 10 {
		t.Fatalf("BulkLoad: %d %v", n, err)
	}
	if n, err := a.Merge(ctx, warehouse.Relation{Name: "meters"}, []string{"mpan", "serial", "at"}, []string{"mpan"}, rows("B", 12)); err != nil || n != 12 {
		t.Fatalf("Merge: %d %v", n, err)
	}
	res, err := a.Query(ctx, "select count(*), sum(case when serial = 'B' then 1 else 0 end) from meters", -1)
	if err != nil || res.Rows[0][0] != int64(12) || res.Rows[0][1] != int64(12) {
		t.Fatalf("after merge: %v %v", res, err)
	}
}

type sliceRows struct {
	rows [][]any
	i    int
}

func (s *sliceRows) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *sliceRows) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *sliceRows) Err() error             { return nil }
