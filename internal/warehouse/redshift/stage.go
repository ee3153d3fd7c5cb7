package redshift

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// S3API is the part of the S3 API staging uses; *s3.Client implements it.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// Staging is where bulk loads are staged on S3.
type Staging struct {
	S3     S3API
	Bucket string
	// Prefix is the key prefix of every load ("" = bucket root); each load
	// writes under Prefix/<load id>/.
	Prefix  string
	IAMRole string
	Region  string
	// Parts is how many parts are written side by side: a multiple of the
	// cluster's slices loads every slice evenly (Open sets it from
	// stv_slices when 0).
	Parts int
	// PartBytes is the uncompressed size at which a part is closed and a
	// new one started (default 256 MiB), keeping parts between the 1 MB
	// and 1 GB compressed that COPY handles best for typical data.
	PartBytes int64
	// KeepFiles leaves the parts and manifest on S3 after a load (for
	// debugging); by default they are deleted once the load committed or
	// failed.
	KeepFiles bool
	// TempDir holds parts while they are written ("" = os.TempDir()).
	TempDir string
}

// DefaultPartBytes is Staging.PartBytes when unset.
const DefaultPartBytes = 256 << 20

// staged is the outcome of writing one load to S3.
type staged struct {
	ManifestURL string
	Rows        int64
	Keys        []string // every object written, manifest last
}

type manifest struct {
	Entries []manifestEntry `json:"entries"`
}

type manifestEntry struct {
	URL       string       `json:"url"`
	Mandatory bool         `json:"mandatory"`
	Meta      manifestMeta `json:"meta"`
}

type manifestMeta struct {
	ContentLength int64 `json:"content_length"`
}

// part is one gzip CSV file being written to a temporary file.
type part struct {
	f     *os.File
	buf   *bufio.Writer
	gz    *gzip.Writer
	bytes int64
	rows  int64
}

// stage writes src's rows as gzip CSV parts, rows dealt round-robin over
// st.Parts open parts, each closed and uploaded when it reaches
// PartBytes; then it uploads a manifest listing them. Memory stays flat:
// parts live in temporary files, removed once uploaded. On error, objects
// already written are returned in Keys for the caller to delete.
func (st *Staging) stage(ctx context.Context, loadID string, columns []string, src warehouse.RowSource) (staged, error) {
	var out staged
	nParts := max(st.Parts, 1)
	limit := st.PartBytes
	if limit <= 0 {
		limit = DefaultPartBytes
	}
	dir := path.Join(strings.Trim(st.Prefix, "/"), loadID)
	var entries []manifestEntry
	open := make([]*part, nParts)
	seq := 0
	defer func() {
		for _, p := range open {
			if p != nil {
				p.f.Close()
				os.Remove(p.f.Name())
			}
		}
	}()
	flush := func(i int) error {
		p := open[i]
		open[i] = nil
		defer os.Remove(p.f.Name())
		defer p.f.Close()
		if err := p.gz.Close(); err != nil {
			return err
		}
		if err := p.buf.Flush(); err != nil {
			return err
		}
		size, err := p.f.Seek(0, 1)
		if err != nil {
			return err
		}
		if _, err := p.f.Seek(0, 0); err != nil {
			return err
		}
		seq++
		key := path.Join(dir, fmt.Sprintf("part-%05d.csv.gz", seq))
		if _, err := st.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(st.Bucket), Key: aws.String(key), Body: p.f,
			ContentLength: aws.Int64(size), ContentType: aws.String("application/gzip"),
		}); err != nil {
			return fmt.Errorf("upload s3://%s/%s: %w", st.Bucket, key, err)
		}
		out.Keys = append(out.Keys, key)
		entries = append(entries, manifestEntry{URL: "s3://" + st.Bucket + "/" + key, Mandatory: true, Meta: manifestMeta{ContentLength: size}})
		return nil
	}
	var line []byte
	for i := 0; src.Next(); i = (i + 1) % nParts {
		vals, err := src.Values()
		if err != nil {
			return out, err
		}
		if len(vals) != len(columns) {
			return out, fmt.Errorf("row %d has %d values for %d columns", out.Rows+1, len(vals), len(columns))
		}
		if line, err = appendCSV(line[:0], vals); err != nil {
			return out, fmt.Errorf("row %d: %w", out.Rows+1, err)
		}
		if open[i] == nil {
			f, err := os.CreateTemp(st.TempDir, "cdw-redshift-part-*.csv.gz")
			if err != nil {
				return out, err
			}
			p := &part{f: f, buf: bufio.NewWriterSize(f, 1<<16)}
			p.gz = gzip.NewWriter(p.buf)
			open[i] = p
		}
		p := open[i]
		if _, err := p.gz.Write(line); err != nil {
			return out, err
		}
		p.bytes += int64(len(line))
		p.rows++
		out.Rows++
		if p.bytes >= limit {
			if err := flush(i); err != nil {
				return out, err
			}
		}
		if out.Rows%4096 == 0 && ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	if err := src.Err(); err != nil {
		return out, err
	}
	for i := range open {
		if open[i] != nil {
			if err := flush(i); err != nil {
				return out, err
			}
		}
	}
	body, err := json.Marshal(manifest{Entries: append([]manifestEntry{}, entries...)})
	if err != nil {
		return out, err
	}
	key := path.Join(dir, "manifest.json")
	if _, err := st.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(st.Bucket), Key: aws.String(key), Body: strings.NewReader(string(body)),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
	}); err != nil {
		return out, fmt.Errorf("upload s3://%s/%s: %w", st.Bucket, key, err)
	}
	out.Keys = append(out.Keys, key)
	out.ManifestURL = "s3://" + st.Bucket + "/" + key
	return out, nil
}

// cleanup deletes a load's objects, best effort, even when ctx has ended.
func (st *Staging) cleanup(ctx context.Context, keys []string) error {
	if st.KeepFiles || len(keys) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var errs []error
	for start := 0; start < len(keys); start += 1000 {
		batch := keys[start:min(start+1000, len(keys))]
		ids := make([]s3types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := st.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(st.Bucket), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range out.Errors {
			errs = append(errs, fmt.Errorf("delete s3://%s/%s: %s", st.Bucket, aws.ToString(e.Key), aws.ToString(e.Message)))
		}
	}
	return errors.Join(errs...)
}

// appendCSV appends one CSV line for vals: strings always quoted (quotes
// doubled), NULL as an unquoted \N, numbers and booleans bare, times as
// UTC "2006-01-02 15:04:05.999999" (a timestamp column stores that wall
// clock, a timestamptz column that instant, as on every cdw adapter).
func appendCSV(b []byte, vals []any) ([]byte, error) {
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case nil:
			b = append(b, NullMarker...)
		case string:
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(x, `"`, `""`)...)
			b = append(b, '"')
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case int:
			b = strconv.AppendInt(b, int64(x), 10)
		case int32:
			b = strconv.AppendInt(b, int64(x), 10)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("value %d: %v cannot be loaded into Redshift", i+1, x)
			}
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case bool:
			b = strconv.AppendBool(b, x)
		case time.Time:
			b = x.UTC().AppendFormat(b, "2006-01-02 15:04:05.999999")
		default:
			return nil, fmt.Errorf("value %d: unsupported type %T (string, int64, float64, bool, time.Time or nil)", i+1, v)
		}
	}
	return append(b, '\n'), nil
}
