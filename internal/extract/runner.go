package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Registry and quarantine tables, created by the project's migrations.
const (
	RegistryTable   = "file_registry"
	RejectionsTable = "rejected_records"
)

// Status of one file after a run.
type Status string

const (
	StatusLoaded  Status = "loaded"  // rows committed
	StatusSkipped Status = "skipped" // identical content already loaded
	StatusFailed  Status = "failed"  // broken structure; nothing kept
)

// FileResult reports what happened to one file.
type FileResult struct {
	Extractor string
	Path      string
	Status    Status
	LoadID    string
	Rows      int64 // rows loaded
	Rejected  int64 // records quarantined
	// LoadedAs is, for a skipped file, the name it was first loaded under.
	LoadedAs string
	// Err explains a failed file.
	Err error
}

// Runner lands files through FileExtractors into the raw schema.
type Runner struct {
	adapter    warehouse.Adapter
	schema     string
	extractors []FileExtractor
	now        func() time.Time
	newLoadID  func() string
}

// RunnerOption configures a Runner.
type RunnerOption func(*Runner)

// WithClock sets the clock used for loaded_at / rejected_at (tests).
func WithClock(now func() time.Time) RunnerOption { return func(r *Runner) { r.now = now } }

// WithLoadIDs sets the load-id generator (tests). The default is UUIDv7.
func WithLoadIDs(f func() string) RunnerOption { return func(r *Runner) { r.newLoadID = f } }

// NewRunner returns a runner writing to schema (normally "raw") through a.
// Only extractors that implement FileExtractor take part in file runs.
func NewRunner(a warehouse.Adapter, schema string, extractors []Extractor, opts ...RunnerOption) (*Runner, error) {
	if a == nil || schema == "" {
		return nil, errors.New("extract: NewRunner needs an adapter and a schema")
	}
	r := &Runner{adapter: a, schema: schema, now: time.Now, newLoadID: func() string { return uuid.Must(uuid.NewV7()).String() }}
	seen := map[string]bool{}
	for _, e := range extractors {
		if seen[e.Name()] {
			return nil, fmt.Errorf("extract: two extractors named %q", e.Name())
		}
		seen[e.Name()] = true
		if fe, ok := e.(FileExtractor); ok {
			r.extractors = append(r.extractors, fe)
		}
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// Select returns the file extractors with the given names (all of them when
// names is empty), or an error naming the unknown ones and the known ones.
func (r *Runner) Select(names []string) ([]FileExtractor, error) {
	if len(names) == 0 {
		return r.extractors, nil
	}
	var out []FileExtractor
	var unknown []string
	for _, n := range names {
		i := -1
		for j, e := range r.extractors {
			if e.Name() == n {
				i = j
			}
		}
		if i < 0 {
			unknown = append(unknown, n)
			continue
		}
		out = append(out, r.extractors[i])
	}
	if len(unknown) > 0 {
		known := make([]string, len(r.extractors))
		for i, e := range r.extractors {
			known[i] = e.Name()
		}
		return nil, fmt.Errorf("unknown extractor %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return out, nil
}

// Plan pairs the files under from (a file or a folder, walked recursively in
// name order, hidden entries skipped) with the extractor that claims each.
// Files no extractor claims are returned in ignored. A single file given
// explicitly that nothing claims is an error.
func (r *Runner) Plan(from string, extractors []FileExtractor) (plan []Job, ignored []string, err error) {
	info, err := os.Stat(from)
	if err != nil {
		return nil, nil, err
	}
	var files []string
	if info.IsDir() {
		err = filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != from {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	} else {
		files = []string{from}
	}
	sort.Strings(files)
	for _, f := range files {
		head, err := readHead(f, 4096)
		if err != nil {
			return nil, nil, err
		}
		var match []FileExtractor
		for _, e := range extractors {
			if e.Match(filepath.Base(f), head) {
				match = append(match, e)
			}
		}
		switch len(match) {
		case 0:
			ignored = append(ignored, f)
		case 1:
			plan = append(plan, Job{Path: f, Extractor: match[0]})
		default:
			return nil, nil, fmt.Errorf("%s: claimed by several extractors (%s, %s); name one: cdw extract NAME --from ...", f, match[0].Name(), match[1].Name())
		}
	}
	if !info.IsDir() && len(plan) == 0 {
		names := make([]string, len(extractors))
		for i, e := range extractors {
			names[i] = e.Name()
		}
		return nil, nil, fmt.Errorf("%s: not a file that %s can read", from, strings.Join(names, " or "))
	}
	return plan, ignored, nil
}

// Job is one file to land with one extractor.
type Job struct {
	Path      string
	Extractor FileExtractor
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}

// CheckTables verifies that the raw tables of the extractors exist with the
// columns their streams declare, so a load never fails half-way for want of
// a migration.
func (r *Runner) CheckTables(ctx context.Context, extractors []FileExtractor) error {
	tables := []Stream{rejectionStream}
	for _, e := range extractors {
		tables = append(tables, e.Streams()...)
	}
	for _, s := range tables {
		rel := warehouse.Relation{Schema: r.schema, Name: s.Table}
		cols, err := r.adapter.Columns(ctx, rel)
		if errors.Is(err, warehouse.ErrRelationNotFound) {
			return fmt.Errorf("table %s does not exist: run `cdw migrate up`", rel)
		}
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[strings.ToLower(c.Name)] = true
		}
		var missing []string
		for _, c := range s.Columns {
			if !have[c.Name] {
				missing = append(missing, c.Name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("table %s lacks column(s) %s: run `cdw migrate up`", rel, strings.Join(missing, ", "))
		}
	}
	return nil
}

// Run lands every job in order, one transaction per file. It returns a
// result per job; a file with a broken structure is a failed result, not an
// error. The error is for the tool failing (database, I/O, cancellation);
// results before it are still returned and committed.
func (r *Runner) Run(ctx context.Context, jobs []Job) ([]FileResult, error) {
	var results []FileResult
	for _, j := range jobs {
		res, err := r.runJob(ctx, j)
		if err != nil {
			return results, fmt.Errorf("%s: %w", j.Path, err)
		}
		results = append(results, res)
	}
	return results, nil
}

func (r *Runner) rel(table string) warehouse.Relation {
	return warehouse.Relation{Schema: r.schema, Name: table}
}

func (r *Runner) runJob(ctx context.Context, j Job) (FileResult, error) {
	name := filepath.Base(j.Path)
	res := FileResult{Extractor: j.Extractor.Name(), Path: j.Path}
	info, err := os.Stat(j.Path)
	if err != nil {
		return res, err
	}
	// A file registered under the same name and size is hashed first, so a
	// rerun over the same folder costs one read per file and loads nothing.
	prior, err := r.adapter.Query(ctx, fmt.Sprintf("select sha256, file_name from %s where extractor = $1 and file_name = $2 and size_bytes = $3",
		r.adapter.Dialect().QuoteRelation(r.rel(RegistryTable))), -1, res.Extractor, name, info.Size())
	if err != nil {
		return res, err
	}
	if len(prior.Rows) > 0 {
		sum, err := hashFile(j.Path)
		if err != nil {
			return res, err
		}
		for _, row := range prior.Rows {
			if row[0] == sum {
				res.Status, res.LoadedAs = StatusSkipped, name
				return res, nil
			}
		}
	}

	res.LoadID = r.newLoadID()
	errDuplicate := errors.New("duplicate content")
	err = r.adapter.InTx(ctx, func(tx warehouse.Conn) error {
		f, err := os.Open(j.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		loaded, rejects, err := r.load(ctx, tx, j.Extractor, File{Name: name, Path: j.Path, LoadID: res.LoadID, Body: io.TeeReader(f, h)})
		if err != nil {
			return err
		}
		// The hash covers every byte, even ones the extractor did not read.
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sum := hex.EncodeToString(h.Sum(nil))
		dup, err := tx.Query(ctx, fmt.Sprintf("select file_name from %s where extractor = $1 and sha256 = $2",
			r.adapter.Dialect().QuoteRelation(r.rel(RegistryTable))), 1, res.Extractor, sum)
		if err != nil {
			return err
		}
		if len(dup.Rows) > 0 {
			res.LoadedAs, _ = dup.Rows[0][0].(string)
			return errDuplicate
		}
		if err := r.quarantine(ctx, tx, res, name, rejects); err != nil {
			return err
		}
		res.Rows, res.Rejected = loaded, int64(len(rejects))
		return tx.Exec(ctx, fmt.Sprintf("insert into %s (extractor, file_name, size_bytes, sha256, load_id, loaded_at, rows_loaded, rows_rejected) values ($1, $2, $3, $4, $5, $6, $7, $8)",
			r.adapter.Dialect().QuoteRelation(r.rel(RegistryTable))),
			res.Extractor, name, info.Size(), sum, res.LoadID, r.now().UTC(), res.Rows, res.Rejected)
	})
	switch {
	case err == nil:
		res.Status = StatusLoaded
		return res, nil
	case errors.Is(err, errDuplicate):
		res.Status, res.LoadID = StatusSkipped, ""
		return res, nil
	case IsStructureError(err):
		res.Status, res.Err, res.LoadID = StatusFailed, err, ""
		return res, nil
	}
	return res, err
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var h hash.Hash = sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
