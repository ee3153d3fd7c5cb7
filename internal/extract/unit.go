package extract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// UnitExtractor lands data from an API one unit of work at a time — for
// the billing platform, one account. Like a FileExtractor it never sees a
// database: for each unit it emits rows, the rows they replace and its new
// cursors to a UnitSink, and the UnitRunner commits all of it in one
// transaction. A unit that fails is recorded and retried on the next run.
type UnitExtractor interface {
	Extractor
	// Prepare decodes the project's settings for this extractor, resolves
	// the run's units and returns the run. A problem with the settings or
	// the request is an *InvalidError (exit 2 at the CLI).
	Prepare(ctx context.Context, req PrepareRequest) (UnitPlan, error)
}

// PrepareRequest is what a UnitExtractor gets to prepare a run.
type PrepareRequest struct {
	// Settings is the extractor's `extractors.<name>` mapping of
	// project.yml, environment references expanded, positions kept (decode
	// it with yamlx so problems read project.yml:LINE:COL); nil when the
	// project has none.
	Settings *yaml.Node
	// Dir is the project's root folder, for relative paths in settings.
	Dir string
	// Target is the name of the target the run writes to, for per-target
	// settings (sample limits).
	Target string
	// Units, when not empty, names the units to run instead of the
	// configured universe, in the extractor's syntax (e.g. "1-50,77").
	Units string
	// From, when not empty, is a landed location to load from instead of
	// calling the API (e.g. s3://bucket/prefix).
	From string
	// Land, when not empty, is where raw responses are landed before they
	// are loaded (overrides the settings).
	Land string
	// FullRefresh asks for everything again, ignoring cursors.
	FullRefresh bool
	// Query runs a read-only query on the target (the universe query) and
	// returns its rows.
	Query func(ctx context.Context, sql string) ([][]any, error)
	// Getenv reads the environment (e.g. cloud credentials for landing);
	// nil reads nothing.
	Getenv func(string) (string, bool)
}

// UnitPlan is one prepared run of a UnitExtractor. ExtractUnit is called
// from several goroutines at once (Concurrency of them); Units, Summary,
// Concurrency, Counters and Close from one.
type UnitPlan interface {
	// Units lists the run's units in order (e.g. account ids).
	Units() []string
	// Summary says in one line what the run covers and why ("50 accounts
	// from --accounts"), for the CLI to print.
	Summary() string
	// Concurrency is how many units to extract at once (at least 1).
	Concurrency() int
	// ExtractUnit fetches unit u and emits everything it lands to sink.
	// Nothing reaches the warehouse unless it returns nil; then all of it
	// is committed in one transaction with the new cursors. An error
	// marks the unit failed (rejections emitted before it are still
	// quarantined); a context error means the run was interrupted and the
	// unit is neither committed nor recorded as failed.
	ExtractUnit(ctx context.Context, u Unit, sink UnitSink) error
	// Counters returns live counters (requests, retries) for progress.
	Counters() Counters
	// Close releases the plan's resources.
	Close() error
}

// Counters are an extractor's live request counters.
type Counters struct {
	Requests int64 // requests made (each counted once, however many attempts)
	Retries  int64 // attempts after the first
}

// Unit is one unit of work handed to ExtractUnit.
type Unit struct {
	ID     string
	LoadID string
	// Cursors holds the unit's committed cursors by entity (absent: none).
	Cursors map[string]string
	// FullRefresh asks the extractor to ignore Cursors.
	FullRefresh bool
	// FailedAttempts is how many earlier runs failed on this unit.
	FailedAttempts int64
	// Now is the run's clock.
	Now func() time.Time
}

// Cond is one `column = value` condition of a delete.
type Cond struct {
	Column string
	Value  any
}

// UnitRejection is a record of an API response that could not be used.
// It goes to the quarantine table like a file's rejected line: Source is
// the request (method and path), Line the page (0 when unpaged).
type UnitRejection struct {
	Source string
	Line   int64
	Raw    string
	Reason string
}

// UnitSink receives one unit's output. Operations are applied in the
// order they are made, inside the unit's transaction: a delete followed by
// rows replaces those rows. Values must match the stream's column types
// (nil for NULL); Row copies them, so callers may reuse the slice.
type UnitSink interface {
	// Row appends a row to stream.
	Row(stream string, values []any) error
	// Delete removes the rows of stream matching every condition (at least
	// one condition is required).
	Delete(stream string, where ...Cond) error
	// DeleteKeys removes the rows of stream matching every condition whose
	// column is one of keys.
	DeleteKeys(stream string, where []Cond, column string, keys []any) error
	// SetCursor records the unit's new cursor for entity.
	SetCursor(entity, value string) error
	// Reject quarantines a record.
	Reject(r UnitRejection) error
}

// AbortError is a unit's failure that no unit is at fault for and that
// every other unit would meet too (the source refuses the credentials): the
// runner stops fetching, records no unit as failed for it, commits what was
// already fetched and ends the run with it.
type AbortError struct{ Err error }

func (e *AbortError) Error() string { return e.Err.Error() }
func (e *AbortError) Unwrap() error { return e.Err }

// Abort wraps err as an *AbortError (nil stays nil).
func Abort(err error) error {
	if err == nil {
		return nil
	}
	return &AbortError{Err: err}
}

// InvalidError reports a problem with settings or with the request (bad
// unit list, missing credentials), as opposed to the tool failing.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Invalid wraps err as an *InvalidError (nil stays nil).
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InvalidError{Err: err}
}

// Invalidf is Invalid with a formatted message.
func Invalidf(format string, args ...any) error { return Invalid(fmt.Errorf(format, args...)) }

// IsInvalid reports whether err is or wraps an *InvalidError.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}
