// Package freshness checks how recently source tables received data
// (`cdw freshness`): the newest value of each table's loaded_at_field is
// compared with warn_after and error_after.
package freshness

import (
	"context"
	"fmt"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Status of one check. The values are dbt's (target/sources.json).
type Status string

const (
	StatusPass         Status = "pass"
	StatusWarn         Status = "warn"
	StatusError        Status = "error"
	StatusRuntimeError Status = "runtime error"
)

// Failed reports whether s makes `cdw freshness` exit 1.
func (s Status) Failed() bool { return s == StatusError || s == StatusRuntimeError }

// Check is one source table to check.
type Check struct {
	// ID is the source node's id, e.g. "source.raw.d0010_readings".
	ID       string
	Relation warehouse.Relation
	// LoadedAtField is the column (or SQL expression) whose maximum is the
	// time the table last received data.
	LoadedAtField string
	Freshness     config.FreshnessDecl
}

// Result is the outcome of one check.
type Result struct {
	Check
	Status Status
	// MaxLoadedAt is the newest loaded_at value (zero when the table has
	// no rows, or the check failed). Age is Now minus MaxLoadedAt.
	MaxLoadedAt time.Time
	Age         time.Duration
	// Now is the time the age was measured against.
	Now time.Time
	// Message explains a warn, error or runtime error in one line.
	Message string
	SQL     string
	Err     error
}

// SQL is the query a check runs: the maximum of loaded_at_field, over the
// rows matching the filter if there is one.
func SQL(d warehouse.Dialect, c Check) string {
	q := fmt.Sprintf("select max(%s) as max_loaded_at from %s", c.LoadedAtField, d.QuoteRelation(c.Relation))
	if c.Freshness.Filter != "" {
		q += " where " + c.Freshness.Filter
	}
	return q
}

// Measure runs c and judges the result against now. The loaded_at value
// is read as the warehouse's Conn normalizes it: a timestamp column is its
// UTC wall clock, a timestamptz the instant, a date midnight UTC. A query
// error, or a value that is not a time, is StatusRuntimeError; a table
// with no (matching) rows is StatusError, as it has never been loaded.
func Measure(ctx context.Context, q warehouse.Conn, d warehouse.Dialect, c Check, now time.Time) Result {
	r := Result{Check: c, Now: now.UTC(), SQL: SQL(d, c)}
	res, err := q.Query(ctx, r.SQL, 1)
	if err != nil {
		r.Status, r.Err, r.Message = StatusRuntimeError, err, err.Error()
		return r
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		r.Status, r.Message = StatusRuntimeError, "the freshness query returned no row"
		return r
	}
	switch v := res.Rows[0][0].(type) {
	case nil:
		r.Status, r.Message = StatusError, fmt.Sprintf("no rows: %s has no %s to measure", c.Relation, c.LoadedAtField)
		return r
	case time.Time:
		r.MaxLoadedAt = v.UTC()
	default:
		r.Status = StatusRuntimeError
		r.Message = fmt.Sprintf("loaded_at_field %s is a %T (%v), not a timestamp", c.LoadedAtField, v, v)
		return r
	}
	r.Age = r.Now.Sub(r.MaxLoadedAt)
	r.Status, r.Message = Judge(r.Age, c.Freshness)
	return r
}

// Judge decides the status of data that is age old: error when older than
// error_after, else warn when older than warn_after, else pass. The
// message says which threshold was passed.
func Judge(age time.Duration, f config.FreshnessDecl) (Status, string) {
	if f.ErrorAfter != nil && age > f.ErrorAfter.Duration() {
		return StatusError, fmt.Sprintf("older than error_after %s", f.ErrorAfter)
	}
	if f.WarnAfter != nil && age > f.WarnAfter.Duration() {
		return StatusWarn, fmt.Sprintf("older than warn_after %s", f.WarnAfter)
	}
	return StatusPass, ""
}

// Round shortens an age for people: days and hours, or minutes, or seconds.
func Round(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d >= 24*time.Hour:
		days := d / (24 * time.Hour)
		s = fmt.Sprintf("%dd%dh", days, (d-days*24*time.Hour)/time.Hour)
	case d >= time.Hour:
		s = d.Truncate(time.Minute).String()
	default:
		s = d.Truncate(time.Second).String()
	}
	if neg {
		return "-" + s
	}
	return s
}
