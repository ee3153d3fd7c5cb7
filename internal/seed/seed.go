// Package seed loads CSV files into warehouse tables (`cdw seed`).
//
// cdw's rule is "no guessing, no rewriting": a column's type comes from
// the seed's YAML (config.column_types) or is text, and values reach the
// warehouse exactly as written in the file — leading zeros, spaces and
// spellings intact. The only interpretation is CSV's own: an unquoted
// empty field is NULL, a quoted empty field ("") is the empty string (as
// PostgreSQL's COPY ... CSV reads them). Conversion to a declared type is
// done by the warehouse's own cast, so a value that does not fit fails
// the load instead of being coerced.
//
// dbt projects get dbt's rule instead (infer.go): types inferred from the
// values as dbt's agate does, values converted as agate converts them.
//
// ColumnTypes (cdw's rule) and DBTColumnTypes (dbt's) are the only places
// where a seed column's type is decided; both go through columnTypes.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/csvx"
	"github.com/cdw-dev/cdw/internal/ddl"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// DefaultType is the type of a column the YAML does not type.
const DefaultType = "text"

// Column is a CSV column and the SQL type it is loaded as.
type Column struct {
	// Name is the column's name in the file's header.
	Name string
	Type string
	// Declared is true when Type comes from the YAML, false when it is
	// DefaultType (cdw's rule) or inferred (dbt's rule).
	Declared bool
	// Kind is how values are read: "" under cdw's rule (as written), one
	// of dbt's kinds under dbt's rule (see Kind).
	Kind Kind
	// As is the column's name in the table when it differs from Name
	// (dbt's quote_columns: false on an engine that folds names).
	As string
}

// TableName is the column's name in the seed's table.
func (c Column) TableName() string {
	if c.As != "" {
		return c.As
	}
	return c.Name
}

// casts reports whether the column's staged text is cast to its type: a
// declared type, or an inferred one other than text.
func (c Column) casts() bool {
	return c.Declared || (c.Kind != "" && c.Type != DefaultType)
}

// ColumnTypes decides the type of every column of a seed whose header is
// header under cdw's rule: declared[name] when the YAML types it,
// DefaultType otherwise. It fails when the header has an empty or
// repeated name (compared case-insensitively, as engines fold or collide
// on them), or when declared names a column the file does not have.
func ColumnTypes(header []string, declared map[string]string) ([]Column, error) {
	return columnTypes(header, declared, nil)
}

// DBTRule is how a dbt project's seed is typed.
type DBTRule struct {
	// Inferred is what InferCSV learned about each header column.
	Inferred []Inferred
	// Engine is the target type (duckdb, postgres, redshift): dbt's
	// adapters name some inferred types differently.
	Engine string
	// UnquotedColumns is quote_columns: false: the table's column names
	// are folded as the engine folds unquoted names (lower case on
	// PostgreSQL and Redshift; DuckDB keeps them).
	UnquotedColumns bool
}

// DBTColumnTypes decides the type of every column of a dbt project's seed:
// declared[name] when the YAML types it (its values then read as text,
// null words being NULL), else the type dbt's adapter creates for what
// rule.Inferred says. It fails like ColumnTypes, and when rule.Inferred
// does not match the header.
func DBTColumnTypes(header []string, declared map[string]string, rule DBTRule) ([]Column, error) {
	if len(rule.Inferred) != len(header) {
		return nil, fmt.Errorf("seed: %d inferred columns for a header of %d", len(rule.Inferred), len(header))
	}
	return columnTypes(header, declared, &rule)
}

// columnTypes applies cdw's rule (dbt nil) or dbt's.
func columnTypes(header []string, declared map[string]string, dbt *DBTRule) ([]Column, error) {
	var problems []string
	seen := map[string]string{}
	cols := make([]Column, 0, len(header))
	for i, name := range header {
		if strings.TrimSpace(name) == "" {
			problems = append(problems, fmt.Sprintf("column %d of the header has no name", i+1))
			continue
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			problems = append(problems, fmt.Sprintf("column %q appears twice in the header (also as %q)", name, prev))
			continue
		}
		seen[strings.ToLower(name)] = name
		c := Column{Name: name, Type: DefaultType}
		if dbt != nil {
			inf := dbt.Inferred[i]
			c.Type, c.Kind = inf.SQLType(dbt.Engine), inf.Kind
			if dbt.UnquotedColumns && dbt.Engine != "duckdb" {
				if folded := strings.ToLower(name); folded != name {
					c.As = folded
				}
			}
		}
		if t, ok := declared[name]; ok {
			c.Type, c.Declared = t, true
			if dbt != nil {
				c.Kind = KindText
			}
		}
		cols = append(cols, c)
	}
	var unknown []string
	for name := range declared {
		if _, ok := seen[strings.ToLower(name)]; !ok || !hasExact(header, name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		problems = append(problems, fmt.Sprintf("column_types names %q, which is not a column of the file (columns: %s)", name, strings.Join(header, ", ")))
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return cols, nil
}

func hasExact(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ReadHeader returns the first record of a CSV stream: the column names.
func ReadHeader(r io.Reader, delim rune) ([]string, error) {
	rec, err := csvx.NewReader(r, delim).Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: a seed needs a header line naming its columns")
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(rec))
	for i, f := range rec {
		names[i] = f.Value
	}
	return names, nil
}

// Spec is one seed to load.
type Spec struct {
	// Relation is the table the seed becomes.
	Relation warehouse.Relation
	// Columns are the file's columns in header order with their types
	// (from ColumnTypes).
	Columns []Column
	// Delimiter separates fields (',' when 0).
	Delimiter rune
	// Path names the file in errors.
	Path string
	// Open opens the CSV file.
	Open func() (io.ReadCloser, error)
}

// stagingSuffix names the all-text table the file is bulk-loaded into.
const stagingSuffix = "__cdw_seed"

// Load replaces the table spec.Relation with the rows of the CSV file and
// returns how many rows it holds. The file is streamed into an all-text
// staging table beside the relation with the adapter's BulkLoad (COPY on
// PostgreSQL, the appender on DuckDB), then the typed table is built from
// it with warehouse.BuildTable — one cast per declared column — and
// swapped in atomically, so readers see the old rows or the new ones and
// views on it survive. The staging table is dropped in every case. A
// header that differs from spec.Columns (the file changed since the
// project loaded), a record with the wrong number of fields, malformed
// CSV or a value the warehouse cannot cast fails the load with the
// file's line where it can be known; the previous table is then
// untouched.
func Load(ctx context.Context, a warehouse.Adapter, spec Spec) (int64, error) {
	fail := func(err error) (int64, error) { return 0, fmt.Errorf("seed %s: %w", spec.Path, err) }
	s, err := ddl.Statements(a)
	if err != nil {
		return fail(err)
	}
	if len(spec.Columns) == 0 {
		return fail(errors.New("no columns"))
	}
	if err := ddl.EnsureSchema(ctx, a, spec.Relation.Schema); err != nil {
		return fail(err)
	}
	staging := ddl.Beside(s, spec.Relation, stagingSuffix)
	if err := a.Exec(ctx, s.Drop(staging, warehouse.KindTable)); err != nil {
		return fail(fmt.Errorf("drop leftover %s: %w", staging, err))
	}
	textCols := make([]ddl.Column, len(spec.Columns), len(spec.Columns)+1)
	names := make([]string, len(spec.Columns), len(spec.Columns)+1)
	for i, c := range spec.Columns {
		textCols[i] = ddl.Column{Name: c.Name, Type: DefaultType}
		names[i] = c.Name
	}
	// Each staged row keeps its CSV line, so a value that does not cast
	// can be found and named.
	textCols = append(textCols, ddl.Column{Name: lineColumn, Type: "bigint"})
	names = append(names, lineColumn)
	if err := a.Exec(ctx, ddl.CreateTable(s, staging, textCols, false)); err != nil {
		return fail(err)
	}
	defer ddl.DropQuietly(ctx, a, s, staging)

	f, err := spec.Open()
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	kinds := make([]Kind, len(spec.Columns))
	for i, c := range spec.Columns {
		kinds[i] = c.Kind
	}
	src := &rows{r: csvx.NewReader(f, spec.Delimiter), want: names[:len(spec.Columns)], kinds: kinds}
	if _, err := a.BulkLoad(ctx, staging, names, src); err != nil {
		if src.err != nil {
			return fail(src.err)
		}
		return fail(err)
	}
	n, err := warehouse.BuildTable(ctx, a, spec.Relation, TypedSelect(s, staging, spec.Columns))
	if err != nil {
		if bad, ok := findBadValue(ctx, a, s, staging, spec.Columns); ok {
			return fail(fmt.Errorf("line %d: column %s: %q is not a %s (the type declared in the seed's YAML: column_types or the column's data_type)", bad.line, bad.column, bad.value, bad.typ))
		}
		return fail(fmt.Errorf("%w (a value does not fit its column's declared type: column_types or the column's data_type in the seed's YAML)", err))
	}
	return n, nil
}

// lineColumn is the staging table's column of CSV line numbers.
const lineColumn = "_cdw_seed_line"

type badValue struct {
	line          int64
	column, value string
	typ           string
}

// findBadValue finds the first line whose value of a cast column does not
// cast to its type. It asks the warehouse itself, so its casting rules
// decide: a column is checked by casting all its values, then the failing
// one is narrowed down by halving the line range (a few dozen queries at
// most).
func findBadValue(ctx context.Context, a warehouse.Adapter, s warehouse.Statements, staging warehouse.Relation, cols []Column) (badValue, bool) {
	rel, line := s.QuoteRelation(staging), s.QuoteIdent(lineColumn)
	res, err := a.Query(ctx, fmt.Sprintf("select min(%s), max(%s) from %s", line, line, rel), 1)
	if err != nil || len(res.Rows) == 0 {
		return badValue{}, false
	}
	lo, okLo := res.Rows[0][0].(int64)
	hi, okHi := res.Rows[0][1].(int64)
	if !okLo || !okHi {
		return badValue{}, false
	}
	for _, c := range cols {
		if !c.casts() {
			continue
		}
		q := s.QuoteIdent(c.Name)
		casts := func(from, to int64) bool {
			_, err := a.Query(ctx, fmt.Sprintf("select count(cast(%s as %s)) from %s where %s between %d and %d", q, c.Type, rel, line, from, to), 1)
			return err == nil
		}
		if casts(lo, hi) {
			continue
		}
		from, to := lo, hi
		for from < to {
			mid := from + (to-from)/2
			if !casts(from, mid) {
				to = mid
			} else {
				from = mid + 1
			}
		}
		v, err := a.Query(ctx, fmt.Sprintf("select %s from %s where %s = %d", q, rel, line, from), 1)
		if err != nil || len(v.Rows) == 0 {
			return badValue{}, false
		}
		text, _ := v.Rows[0][0].(string)
		return badValue{line: from, column: c.Name, value: text, typ: c.Type}, true
	}
	return badValue{}, false
}

// TypedSelect is the query that builds the seed's table from the staging
// table: text columns as they are, declared and inferred ones cast to
// their type, each named TableName().
func TypedSelect(d warehouse.Dialect, staging warehouse.Relation, cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		q, as := d.QuoteIdent(c.Name), d.QuoteIdent(c.TableName())
		switch {
		case c.casts():
			parts[i] = fmt.Sprintf("cast(%s as %s) as %s", q, c.Type, as)
		case as != q:
			parts[i] = q + " as " + as
		default:
			parts[i] = q
		}
	}
	return "select " + strings.Join(parts, ", ") + " from " + d.QuoteRelation(staging)
}

// rows streams CSV records as a warehouse.RowSource: the header is checked
// against the expected names, then each record becomes one row of strings
// (nil for NULL).
type rows struct {
	r      *csvx.Reader
	want   []string
	kinds  []Kind
	header bool
	vals   []any
	err    error
}

func (s *rows) Next() bool {
	if s.err != nil {
		return false
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		if !s.header {
			s.err = errors.New("the file is empty: a seed needs a header line naming its columns")
		}
		return false
	}
	if err != nil {
		s.err = err
		return false
	}
	if !s.header {
		s.header = true
		got := make([]string, len(rec))
		for i, f := range rec {
			got[i] = f.Value
		}
		if strings.Join(got, "\x00") != strings.Join(s.want, "\x00") {
			s.err = fmt.Errorf("line 1: the header is now %q, was %q when the project loaded", got, s.want)
			return false
		}
		return s.Next()
	}
	if len(rec) != len(s.want) {
		s.err = fmt.Errorf("line %d: %d fields, the header has %d", s.r.Line(), len(rec), len(s.want))
		return false
	}
	if s.vals == nil {
		s.vals = make([]any, len(rec)+1)
	}
	s.vals[len(rec)] = int64(s.r.Line())
	for i, f := range rec {
		v, err := s.kinds[i].convert(f)
		if err != nil {
			s.err = fmt.Errorf("line %d: column %s: %w", s.r.Line(), s.want[i], err)
			return false
		}
		s.vals[i] = v
	}
	return true
}

func (s *rows) Values() ([]any, error) { return s.vals, nil }
func (s *rows) Err() error             { return s.err }
