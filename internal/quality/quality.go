// Package quality turns data tests into SQL that selects failing rows: the
// generic tests not_null, unique, accepted_values and relationships, and
// singular tests (a SQL file that is already such a query). A test passes
// when its query returns no rows. Pure: it only builds SQL.
package quality

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Severity of a failing test: SeverityError fails the run and blocks
// dependants; SeverityWarn only reports.
type Severity string

const (
	SeverityError Severity = "error"
	SeverityWarn  Severity = "warn"
)

// Generic names the built-in generic tests.
var Generic = []string{"accepted_values", "not_null", "relationships", "unique"}

// IsGeneric reports whether name is a built-in generic test.
func IsGeneric(name string) bool {
	i := sort.SearchStrings(Generic, name)
	return i < len(Generic) && Generic[i] == name
}

// Spec is one generic test applied to a relation.
type Spec struct {
	// Test is the generic test's name, e.g. "not_null".
	Test string
	// Relation is the tested relation, already quoted.
	Relation string
	// Query, if set, is tested instead of Relation: a select whose rows are
	// the ones to check (a new_rows_only test checks the incremental delta
	// of its model this way). It is embedded as a subquery.
	Query string
	// Column is the tested column (unquoted name); required by all built-ins.
	Column string
	// Where, if set, filters the tested relation first (dbt's `where`).
	Where string
	// Values are accepted_values' values.
	Values []any
	// To (already quoted) and Field are relationships' parent relation and column.
	To, Field string
}

// FailingRowsSQL returns the query selecting the rows that fail spec.
func FailingRowsSQL(d warehouse.Dialect, s Spec) (string, error) {
	if s.Column == "" {
		return "", fmt.Errorf("%s: needs a column", s.Test)
	}
	rel := s.from("cdw_where")
	col := d.QuoteIdent(s.Column)
	switch s.Test {
	case "not_null":
		return fmt.Sprintf("select * from %s where %s is null", rel, col), nil
	case "unique":
		return fmt.Sprintf("select %s as unique_field, count(*) as n_records from %s where %s is not null group by %s having count(*) > 1",
			col, rel, col, col), nil
	case "accepted_values":
		if len(s.Values) == 0 {
			return "", fmt.Errorf("accepted_values: needs a non-empty `values` list")
		}
		lits := make([]string, len(s.Values))
		for i, v := range s.Values {
			lits[i] = literal(d, v)
		}
		return fmt.Sprintf("select %s as value_field, count(*) as n_records from %s where %s is not null and %s not in (%s) group by %s",
			col, rel, col, col, strings.Join(lits, ", "), col), nil
	case "relationships":
		if s.To == "" || s.Field == "" {
			return "", fmt.Errorf("relationships: needs `to` (e.g. ref('meters')) and `field`")
		}
		field := d.QuoteIdent(s.Field)
		child := s.from("child")
		if s.Where == "" && s.Query == "" {
			child += " as child"
		}
		return fmt.Sprintf("select child.%s as from_field from %s left join %s as parent on child.%s = parent.%s where child.%s is not null and parent.%s is null",
			col, child, s.To, col, field, col, field), nil
	}
	return "", fmt.Errorf("unknown generic test %q (built-ins: %s)", s.Test, strings.Join(Generic, ", "))
}

// from renders what the test reads: the relation, or the query as a
// subquery, filtered by Where. A filtered or query source gets alias; a
// plain relation gets none (callers add one where they need it).
func (s Spec) from(alias string) string {
	src := s.Relation
	if s.Query != "" {
		src = "(\n" + strings.TrimRight(strings.TrimSpace(s.Query), ";") + "\n) as cdw_rows"
		if s.Where == "" {
			return "(select * from " + src + ") as " + alias
		}
	}
	if s.Where != "" {
		return fmt.Sprintf("(select * from %s where %s) as %s", src, s.Where, alias)
	}
	return src
}

// literal renders an accepted value: strings quoted, numbers and booleans as is.
func literal(d warehouse.Dialect, v any) string {
	switch x := v.(type) {
	case string:
		return d.QuoteString(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// CountSQL wraps a failing-rows query into one that counts them.
func CountSQL(failing string) string {
	return "select count(*) from (\n" + strings.TrimRight(strings.TrimSpace(failing), ";") + "\n) as cdw_failures"
}

// LimitSQL wraps a failing-rows query so it returns at most n rows (a
// test's `limit` config); n <= 0 returns the query unchanged.
func LimitSQL(failing string, n int) string {
	if n <= 0 {
		return failing
	}
	return fmt.Sprintf("select * from (\n%s\n) as cdw_limited limit %d", strings.TrimRight(strings.TrimSpace(failing), ";"), n)
}

// SampleSQL wraps a failing-rows query into one that returns at most n rows.
func SampleSQL(failing string, n int) string {
	return fmt.Sprintf("select * from (\n%s\n) as cdw_failures limit %d", strings.TrimRight(strings.TrimSpace(failing), ";"), n)
}
