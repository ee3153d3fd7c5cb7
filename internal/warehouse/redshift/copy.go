package redshift

import (
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// NullMarker is how a NULL is written in staged CSV parts: an unquoted \N
// (strings are always quoted, so a string "\N" stays a string).
const NullMarker = `\N`

// CopySpec describes one COPY of staged parts into a table.
type CopySpec struct {
	// Table receives the rows; Columns are the CSV columns, in order.
	Table   warehouse.Relation
	Columns []string
	// ManifestURL is s3://bucket/key of the manifest listing the parts.
	ManifestURL string
	// IAMRole is the ARN Redshift assumes to read the bucket.
	IAMRole string
	// Region is the bucket's region when it differs from the cluster's
	// ("" = the cluster's).
	Region string
}

// CopyFromManifest loads gzip CSV parts listed in a manifest:
//
//	copy "stage" ("a", "b") from 's3://bucket/prefix/manifest.json'
//	iam_role 'arn:aws:iam::123456789012:role/copy'
//	manifest format as csv gzip null as '\\N'
//	timeformat 'auto' dateformat 'auto' ...
//
// MAXERROR is 0, so one bad field fails the whole COPY; statistics and
// compression analysis are off (the target is a staging table).
func (d Dialect) CopyFromManifest(s CopySpec) string {
	var b strings.Builder
	b.WriteString("copy " + d.QuoteRelation(s.Table) + " (" + d.identList("", s.Columns) + ")")
	b.WriteString("\nfrom " + d.QuoteString(s.ManifestURL))
	b.WriteString("\niam_role " + d.QuoteString(s.IAMRole))
	if s.Region != "" {
		b.WriteString("\nregion " + d.QuoteString(s.Region))
	}
	b.WriteString("\nmanifest\nformat as csv\ngzip")
	b.WriteString("\nnull as " + d.QuoteString(NullMarker))
	b.WriteString("\ntimeformat 'auto'\ndateformat 'auto'")
	b.WriteString("\nmaxerror 0\ncompupdate off\nstatupdate off")
	return b.String()
}

// LastCopyCount selects the rows loaded by the session's last COPY.
func (Dialect) LastCopyCount() string { return "select pg_last_copy_count()" }

// CreateStage creates a session-local staging table shaped like target.
func (d Dialect) CreateStage(stage, target warehouse.Relation) string {
	return "create temp table " + d.QuoteRelation(stage) + " (like " + d.QuoteRelation(target) + ")"
}

// LandStatements returns, in order, the statements that land staged parts
// into target inside one transaction on one session: create the staging
// table, COPY into it, count what COPY loaded (the caller compares it with
// the rows it staged and aborts on a difference), then append — or MERGE
// on key when key is non-empty — and drop the staging table. The count
// query is at index 2.
func (d Dialect) LandStatements(target, stage warehouse.Relation, spec CopySpec, key []string) ([]string, error) {
	spec.Table = stage
	stmts := []string{d.CreateStage(stage, target), d.CopyFromManifest(spec), d.LastCopyCount()}
	if len(key) == 0 {
		stmts = append(stmts, d.InsertSelect(target, spec.Columns, stage))
	} else {
		m, err := d.Merge(target, stage, spec.Columns, key)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, m...)
	}
	return append(stmts, d.Drop(stage, warehouse.KindTable)), nil
}
