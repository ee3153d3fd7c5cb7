package template

import (
	"fmt"
	"sort"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Context is everything a template can see. Only the fields a template uses
// need to be set; Resolver is required for ref() and source().
type Context struct {
	// Vars are the project's variables (project.yml vars merged with --vars).
	Vars map[string]any
	// Env looks up environment variables for env_var(); nil means none are set.
	Env func(string) (string, bool)
	// Target describes the warehouse target (the `target` variable).
	Target Target
	// Resolver turns ref()/source() into relations and rejects unknown names.
	Resolver Resolver
	// This is the relation of the node being rendered (`this`).
	This Relation
	// IsIncremental is what is_incremental() returns.
	IsIncremental bool
	// RunStartedAt is the run's start (UTC), rendered by run_started_at.
	RunStartedAt time.Time
	// InvocationID identifies the run.
	InvocationID string
	// Query runs one SQL statement on the target warehouse, for
	// run_query(), {% call statement %} and adapter.get_columns_in_relation.
	// The caller binds it to its own context (cancellation). nil renders
	// without a warehouse, as dbt's parse does: `execute` is false,
	// run_query() returns none and statements are not run. Pure
	// compilation leaves it nil.
	Query func(sql string) (*QueryResult, error)
	// Extra are more names the template can read (they shadow builtins),
	// e.g. the arguments of a macro called from Go.
	Extra map[string]any
}

// QueryResult is what Query returns: column names and rows of plain Go
// values.
type QueryResult struct {
	Columns []string
	Rows    [][]any
}

// Target is the `target` variable: target.name, .type, .schema, .threads.
type Target struct {
	Name, Type, Schema string
	Threads            int
}

// Relation is what ref(), source() and this render to. It renders as
// Quoted and exposes .schema, .name, .identifier (and dbt's .database,
// empty, and .render()) to templates.
type Relation struct {
	Schema, Name string
	Quoted       string
}

func (r Relation) String() string { return r.Quoted }

// GetAttribute exposes the relation's parts to templates.
func (r Relation) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "schema":
		return exec.AsValue(r.Schema), true
	case "name", "identifier", "table":
		return exec.AsValue(r.Name), true
	case "database":
		return exec.AsValue(""), true
	case "render":
		return exec.AsValue(func() string { return r.Quoted }), true
	}
	return exec.AsValue(nil), false
}

// Resolver resolves references. Its errors are shown to the user as
// "path:line: <error>", so they should say what is unknown.
type Resolver interface {
	Ref(name string) (Relation, error)
	Source(source, table string) (Relation, error)
}

// Output is a rendered template and what it referenced.
type Output struct {
	SQL string
	// Refs are the names passed to ref(), deduplicated, in first-use order.
	Refs []string
	// Sources are the (source, table) pairs passed to source(), likewise.
	Sources [][2]string
	// Config holds the keyword arguments of config() calls (later calls win).
	Config map[string]any
	// Vars and EnvVars list the variables the template read, sorted.
	Vars, EnvVars []string
}

// state records what one render did.
type state struct {
	path    string
	ctx     Context
	e       *Engine
	node    *NodeInfo
	refs    []string
	srcs    [][2]string
	config  map[string]any
	vars    map[string]bool
	envVars map[string]bool
	err     *Error // first failure of a builtin, with a clean message

	macros   map[string]exec.Macro            // bare name → callable, as installed
	spaces   map[string]map[string]exec.Macro // namespace → name → callable
	results  map[string]*QueryResult          // {% call statement(name) %} results
	returned bool                             // return() was called by the running macro
	retVal   any
}

func newState(path string, ctx Context, e *Engine, node *NodeInfo) *state {
	return &state{path: path, ctx: ctx, e: e, node: node, config: map[string]any{}, vars: map[string]bool{},
		envVars: map[string]bool{}, results: map[string]*QueryResult{}}
}

// fail records a builtin's failure and returns it for gonja to abort with.
func (s *state) fail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if s.err == nil {
		s.err = &Error{Path: s.path, Msg: msg}
	}
	return fmt.Errorf("%s", msg)
}

func (s *state) output(sql string) *Output {
	return &Output{
		SQL:     sql,
		Refs:    s.refs,
		Sources: s.srcs,
		Config:  s.config,
		Vars:    sortedKeys(s.vars),
		EnvVars: sortedKeys(s.envVars),
	}
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
