package redshift

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// fakeS3 is a path-style S3 endpoint keeping objects in memory: PUT
// stores, POST ?delete deletes (it answers an empty DeleteResult).
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	deleted int
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPut:
		body, _ := io.ReadAll(r.Body)
		f.objects[r.URL.Path] = body
		w.Header().Set("ETag", `"x"`)
	case r.Method == http.MethodPost && r.URL.Query().Has("delete"):
		body, _ := io.ReadAll(r.Body)
		for _, part := range strings.Split(string(body), "<Key>")[1:] {
			key := part[:strings.Index(part, "</Key>")]
			for p := range f.objects {
				if strings.HasSuffix(p, "/"+key) {
					delete(f.objects, p)
					f.deleted++
				}
			}
		}
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>`)
	default:
		w.WriteHeader(http.StatusNotImplemented)
	}
}

func newFakeS3(t *testing.T) (*fakeS3, *s3.Client) {
	f := &fakeS3{objects: map[string][]byte{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials:                aws.AnonymousCredentials{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	return f, client
}

// rowsOf is a RowSource over fixed rows.
type rowsOf struct {
	rows [][]any
	i    int
	err  error
}

func (r *rowsOf) Next() bool             { r.i++; return r.i <= len(r.rows) }
func (r *rowsOf) Values() ([]any, error) { return r.rows[r.i-1], nil }
func (r *rowsOf) Err() error             { return r.err }

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestStageWritesGzipPartsAndManifest(t *testing.T) {
	f, client := newFakeS3(t)
	st := &Staging{S3: client, Bucket: "cdw-landing", Prefix: "/loads/", Parts: 2, PartBytes: 60}
	at := time.Date(2023, 3, 26, 1, 30, 0, 0, time.FixedZone("BST", 3600))
	var rows [][]any
	for i := range 5 {
		rows = append(rows, []any{int64(i), `say "hi", then \N`, 1.5, true, at, nil})
	}
	s, err := st.stage(context.Background(), "L1", []string{"a", "b", "c", "d", "e", "f"}, &rowsOf{rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 5 || s.ManifestURL != "s3://cdw-landing/loads/L1/manifest.json" {
		t.Fatalf("staged %+v", s)
	}
	var m manifest
	if err := json.Unmarshal(f.objects["/cdw-landing/loads/L1/manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	// 5 rows dealt over 2 parts, each closed at 60 bytes (one line is 57):
	// a part per two rows, plus the last row's part.
	if len(m.Entries) != 3 {
		t.Fatalf("manifest entries: %+v", m.Entries)
	}
	var all []string
	for _, e := range m.Entries {
		key := strings.TrimPrefix(e.URL, "s3://")
		body, ok := f.objects["/"+key]
		if !ok || !e.Mandatory || e.Meta.ContentLength != int64(len(body)) {
			t.Fatalf("entry %+v: object %v, %d bytes", e, ok, len(body))
		}
		all = append(all, strings.Split(strings.TrimSuffix(gunzip(t, body), "\n"), "\n")...)
	}
	sort.Strings(all)
	want := `0,"say ""hi"", then \N",1.5,true,2023-03-26 00:30:00,\N`
	if len(all) != 5 || all[0] != want {
		t.Fatalf("lines %q\nwant first %q", all, want)
	}
	if len(s.Keys) != 4 || !strings.HasSuffix(s.Keys[3], "manifest.json") {
		t.Fatalf("keys %v", s.Keys)
	}
	if err := st.cleanup(context.Background(), s.Keys); err != nil || len(f.objects) != 0 || f.deleted != 4 {
		t.Fatalf("cleanup: %v, %d left, %d deleted", err, len(f.objects), f.deleted)
	}
}

func TestStageRejectsBadInput(t *testing.T) {
	_, client := newFakeS3(t)
	st := &Staging{S3: client, Bucket: "b"}
	for _, tc := range []struct {
		src  warehouse.RowSource
		want string
	}{
		{&rowsOf{rows: [][]any{{int64(1)}, {struct{}{}}}}, "row 2: value 1: unsupported type struct {}"},
		{&rowsOf{rows: [][]any{{math.NaN()}}}, "cannot be loaded into Redshift"},
		{&rowsOf{rows: [][]any{{int64(1), int64(2)}}}, "row 1 has 2 values for 1 columns"},
		{&rowsOf{err: errors.New("source broke")}, "source broke"},
	} {
		_, err := st.stage(context.Background(), "L", []string{"a"}, tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}

// scripted is a warehouse.Conn answering pg_last_copy_count() with n and
// recording statements.
type scripted struct {
	warehouse.Conn
	n   any
	log []string
}

func (s *scripted) Exec(_ context.Context, sql string, _ ...any) error {
	s.log = append(s.log, sql)
	return nil
}
func (s *scripted) Query(_ context.Context, sql string, _ int, _ ...any) (*warehouse.Result, error) {
	s.log = append(s.log, sql)
	return &warehouse.Result{Rows: [][]any{{s.n}}}, nil
}

func TestLandChecksTheCopyCount(t *testing.T) {
	d := Dialect{}
	stmts, err := d.LandStatements(warehouse.Relation{Schema: "raw", Name: "t"}, warehouse.Relation{Name: "t__cdw_stage"},
		CopySpec{Columns: []string{"a"}, ManifestURL: "s3://b/m", IAMRole: "arn:r"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok := &scripted{n: int64(7)}
	if err := runLand(context.Background(), ok, stmts, 7); err != nil || len(ok.log) != len(stmts) {
		t.Fatalf("matching count: %v, ran %d of %d", err, len(ok.log), len(stmts))
	}
	short := &scripted{n: int64(6)}
	err = runLand(context.Background(), short, stmts, 7)
	if err == nil || !strings.Contains(err.Error(), "COPY loaded 6 rows but 7 were staged") {
		t.Fatalf("short count: %v", err)
	}
	if len(short.log) != 3 {
		t.Fatalf("nothing may be inserted after a short COPY; ran %q", short.log)
	}
}
