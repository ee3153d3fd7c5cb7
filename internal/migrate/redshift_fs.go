package migrate

import (
	"bytes"
	"io"
	"io/fs"
	"regexp"
	"strings"
)

// redshiftText matches the type name text as a whole word (raw_text and
// text_value are other words).
var redshiftText = regexp.MustCompile(`(?i)\btext\b`)

// redshiftIndex matches a create or drop index statement: Redshift has no
// indexes (its sort and distribution keys are table properties).
var redshiftIndex = regexp.MustCompile(`(?im)^[ \t]*(create[ \t]+(unique[ \t]+)?index|drop[ \t]+index)\b[^;]*;`)

// RedshiftTextType is what a migration's text columns become on Redshift,
// whose own text is varchar(256): long enough for a raw response body or
// a rejected record's line.
const RedshiftTextType = "varchar(65535)"

// redshiftFS serves the migration files with every text type spelled
// RedshiftTextType and every create/drop index statement commented out, so
// one set of migrations runs on PostgreSQL, DuckDB and Redshift alike. (A
// unique index is a guard the loaders never rely on: they delete before
// they insert.)
type redshiftFS struct{ fs.FS }

func (r redshiftFS) Open(name string) (fs.File, error) {
	f, err := r.FS.Open(name)
	if err != nil || !strings.HasSuffix(name, ".sql") {
		return f, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	data = redshiftText.ReplaceAll(data, []byte(RedshiftTextType))
	data = redshiftIndex.ReplaceAllFunc(data, func(stmt []byte) []byte {
		return append([]byte("-- no indexes on Redshift: "), bytes.ReplaceAll(stmt, []byte("\n"), []byte(" "))...)
	})
	return &memFile{Reader: bytes.NewReader(data), info: memInfo{FileInfo: info, size: int64(len(data))}}, nil
}

// memFile is a rewritten file held in memory.
type memFile struct {
	*bytes.Reader
	info memInfo
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m.info, nil }
func (m *memFile) Close() error               { return nil }

// memInfo is the original file's info with the rewritten size.
type memInfo struct {
	fs.FileInfo
	size int64
}

func (i memInfo) Size() int64 { return i.size }
