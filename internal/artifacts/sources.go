package artifacts

import (
	"path/filepath"
	"time"

	"github.com/cdw-dev/cdw/internal/freshness"
	"github.com/cdw-dev/cdw/internal/project"
)

// SourcesFile is what `cdw freshness` writes, dbt's sources.json.
const (
	SourcesFile   = "sources.json"
	SourcesSchema = "https://schemas.getdbt.com/dbt/sources/v3.json"
)

// Sources is target/sources.json.
type Sources struct {
	Metadata    Metadata          `json:"metadata"`
	Results     []SourceFreshness `json:"results"`
	ElapsedTime float64           `json:"elapsed_time"`
}

// SourceFreshness is one source table's check, in dbt's shape; a runtime
// error has Error and no times.
type SourceFreshness struct {
	UniqueID        string            `json:"unique_id"`
	Status          string            `json:"status"`
	MaxLoadedAt     string            `json:"max_loaded_at,omitempty"`
	SnapshottedAt   string            `json:"snapshotted_at,omitempty"`
	AgeSeconds      *float64          `json:"max_loaded_at_time_ago_in_s,omitempty"`
	Criteria        FreshnessCriteria `json:"criteria"`
	Error           string            `json:"error,omitempty"`
	AdapterResponse map[string]any    `json:"adapter_response"`
	Timing          []Timing          `json:"timing"`
	ThreadID        string            `json:"thread_id"`
	ExecutionTime   float64           `json:"execution_time"`
	// CDW holds what dbt's shape has no place for.
	CDW SourceFreshnessExtra `json:"cdw"`
}

// SourceFreshnessExtra is cdw's own part of a freshness result.
type SourceFreshnessExtra struct {
	ID            string `json:"id"`
	LoadedAtField string `json:"loaded_at_field"`
	Message       string `json:"message,omitempty"`
	SQL           string `json:"sql"`
}

// FreshnessCriteria are the thresholds a table was judged by.
type FreshnessCriteria struct {
	WarnAfter  *FreshnessPeriod `json:"warn_after,omitempty"`
	ErrorAfter *FreshnessPeriod `json:"error_after,omitempty"`
	Filter     *string          `json:"filter"`
}

// FreshnessPeriod is {count, period}.
type FreshnessPeriod struct {
	Count  int    `json:"count"`
	Period string `json:"period"`
}

// BuildSources describes the results of one `cdw freshness`; durations
// are each check's execution time, in the order of results.
func BuildSources(p *project.Project, results []freshness.Result, durations []time.Duration, meta Metadata, elapsed time.Duration) *Sources {
	meta.SchemaVersion = SourcesSchema
	out := &Sources{Metadata: meta, ElapsedTime: elapsed.Seconds(), Results: []SourceFreshness{}}
	for i, r := range results {
		n := p.Nodes[r.ID]
		f := r.Freshness
		sf := SourceFreshness{
			UniqueID: UniqueID(p.Config.Name, n), Status: string(r.Status),
			AdapterResponse: map[string]any{}, Timing: []Timing{},
			CDW: SourceFreshnessExtra{ID: r.ID, LoadedAtField: r.LoadedAtField, Message: r.Message, SQL: r.SQL},
		}
		if i < len(durations) {
			sf.ExecutionTime = durations[i].Seconds()
		}
		if f.WarnAfter != nil {
			sf.Criteria.WarnAfter = &FreshnessPeriod{Count: f.WarnAfter.Count, Period: f.WarnAfter.Period}
		}
		if f.ErrorAfter != nil {
			sf.Criteria.ErrorAfter = &FreshnessPeriod{Count: f.ErrorAfter.Count, Period: f.ErrorAfter.Period}
		}
		if f.Filter != "" {
			filter := f.Filter
			sf.Criteria.Filter = &filter
		}
		if r.Status == freshness.StatusRuntimeError {
			sf.Error = r.Message
		} else {
			sf.SnapshottedAt = Now(r.Now)
			if !r.MaxLoadedAt.IsZero() {
				sf.MaxLoadedAt = Now(r.MaxLoadedAt)
				age := r.Age.Seconds()
				sf.AgeSeconds = &age
			}
		}
		out.Results = append(out.Results, sf)
	}
	return out
}

// WriteSources writes dir/sources.json.
func WriteSources(dir string, s *Sources) error { return writeJSON(dir, SourcesFile, s) }

// ReadSources reads dir/sources.json.
func ReadSources(dir string) (*Sources, error) {
	var s Sources
	if err := readJSON(filepath.Join(dir, SourcesFile), &s); err != nil {
		return nil, err
	}
	return &s, nil
}
