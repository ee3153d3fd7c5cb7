package artifacts

import (
	"path/filepath"
	"time"

	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/run"
)

// RunResults is target/run_results.json.
type RunResults struct {
	Metadata    Metadata       `json:"metadata"`
	Results     []Result       `json:"results"`
	ElapsedTime float64        `json:"elapsed_time"`
	Args        map[string]any `json:"args"`
}

// Result is one node's outcome.
type Result struct {
	UniqueID        string         `json:"unique_id"`
	Status          string         `json:"status"`
	Timing          []Timing       `json:"timing"`
	ThreadID        string         `json:"thread_id"`
	ExecutionTime   float64        `json:"execution_time"`
	AdapterResponse map[string]any `json:"adapter_response"`
	Message         string         `json:"message"`
	Failures        *int64         `json:"failures"`
	CompiledCode    string         `json:"compiled_code,omitempty"`
	RelationName    string         `json:"relation_name,omitempty"`
	// CDWID is cdw's node id, for `cdw retry` and result: selectors.
	CDWID string `json:"cdw_id"`
}

// Timing is one phase of a node's execution.
type Timing struct {
	Name        string `json:"name"`
	StartedAt   string `json:"started_at"`
	CompletedAt string `json:"completed_at"`
}

// BuildRunResults describes the results of one command. args records the
// invocation (which command, selection, flags) so `cdw retry` can replay it.
func BuildRunResults(p *project.Project, results []run.Result, meta Metadata, elapsed time.Duration, args map[string]any) *RunResults {
	meta.SchemaVersion = RunResultsSchema
	rr := &RunResults{Metadata: meta, ElapsedTime: elapsed.Seconds(), Args: args, Results: []Result{}}
	for _, r := range results {
		n := p.Nodes[r.ID]
		out := Result{
			UniqueID: UniqueID(p.Config.Name, n), Status: string(r.Status), ThreadID: "",
			ExecutionTime: r.Duration.Seconds(), Message: r.Message, CompiledCode: r.SQL,
			AdapterResponse: map[string]any{}, Timing: []Timing{}, CDWID: r.ID,
		}
		if !r.Started.IsZero() && r.Duration > 0 {
			out.Timing = append(out.Timing, Timing{Name: "execute", StartedAt: Now(r.Started), CompletedAt: Now(r.Started.Add(r.Duration))})
		}
		if n.Kind == project.KindTest || n.Kind == project.KindUnitTest {
			if r.Rows >= 0 {
				f := r.Rows
				out.Failures = &f
			}
		} else {
			out.RelationName = p.Dialect.QuoteRelation(n.Relation)
			if r.Rows >= 0 {
				out.AdapterResponse["rows_affected"] = r.Rows
			}
		}
		rr.Results = append(rr.Results, out)
	}
	return rr
}

// WriteRunResults writes dir/run_results.json.
func WriteRunResults(dir string, rr *RunResults) error { return writeJSON(dir, RunResultsFile, rr) }

// ReadRunResults reads dir/run_results.json.
func ReadRunResults(dir string) (*RunResults, error) {
	var rr RunResults
	if err := readJSON(filepath.Join(dir, RunResultsFile), &rr); err != nil {
		return nil, err
	}
	return &rr, nil
}
