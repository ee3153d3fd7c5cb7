// Package state compares a project with the artifacts of an earlier run
// (a --state folder holding manifest.json and run_results.json) to provide
// the state: and result: selector methods, explain why a node counts as
// modified, and tell which relations an unbuilt parent can be deferred to.
package state

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// State is an earlier run's artifacts, compared with the current project.
type State struct {
	Dir     string
	old     *artifacts.Manifest
	results *artifacts.RunResults // nil when the folder has no run_results.json
	cur     *artifacts.Manifest
	byCDW   map[string]*artifacts.Node // current nodes by cdw id
}

// Load reads dir's manifest.json (required) and run_results.json
// (optional) and compares them with cur, the current project's manifest.
func Load(dir string, cur *artifacts.Manifest) (*State, error) {
	old, err := artifacts.ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("--state %s: %w", dir, err)
	}
	s := &State{Dir: dir, old: old, cur: cur, byCDW: map[string]*artifacts.Node{}}
	if rr, err := artifacts.ReadRunResults(dir); err == nil {
		s.results = rr
	}
	for _, n := range all(cur) {
		s.byCDW[n.CDW.ID] = n
	}
	return s, nil
}

func all(m *artifacts.Manifest) map[string]*artifacts.Node {
	out := make(map[string]*artifacts.Node, len(m.Nodes)+len(m.Sources))
	for k, v := range m.Nodes {
		out[k] = v
	}
	for k, v := range m.Sources {
		out[k] = v
	}
	return out
}

func (s *State) oldNode(uid string) *artifacts.Node {
	if n, ok := s.old.Nodes[uid]; ok {
		return n
	}
	return s.old.Sources[uid]
}

// Why lists the reasons node id (a cdw id) counts as modified against the
// state: "new", "body changed", "config materialized: view → table",
// "macro x changed". None means unmodified.
func (s *State) Why(id string) []string {
	cur := s.byCDW[id]
	if cur == nil {
		return nil
	}
	old := s.oldNode(cur.UniqueID)
	if old == nil {
		return []string{"new"}
	}
	var why []string
	if cur.Checksum.Checksum != old.Checksum.Checksum {
		why = append(why, "body changed")
	}
	// Configs, not physical relations, are compared: the same model lives
	// in another schema in another environment (that is what --state is
	// for), so only a configured schema or alias counts as a change.
	why = append(why, configDiff(old.Config, cur.Config)...)
	for _, m := range cur.DependsOn.Macros {
		nm, om := s.cur.Macros[m], s.old.Macros[m]
		if om == nil || nm == nil || nm.Checksum.Checksum != om.Checksum.Checksum {
			why = append(why, "macro "+strings.TrimPrefix(m, "macro."+s.cur.Metadata.ProjectName+".")+" changed")
		}
	}
	return why
}

func configDiff(old, cur map[string]any) []string {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		if !reflect.DeepEqual(norm(old[k]), norm(cur[k])) {
			out = append(out, fmt.Sprintf("config %s: %v → %v", k, show(old[k]), show(cur[k])))
		}
	}
	return out
}

// norm makes values read back from JSON comparable with fresh ones: a
// fresh value goes through JSON too, so []string, nested maps (a source's
// freshness config) and integers (its counts, float64 when read back)
// compare equal to what the state file holds.
func norm(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

func show(v any) string {
	if v == nil {
		return "(unset)"
	}
	return fmt.Sprint(v)
}

// reasonKind maps a Why reason to the state: sub-selector that matches it.
func reasonKind(reason string) string {
	switch {
	case strings.HasPrefix(reason, "body"):
		return "modified.body"
	case strings.HasPrefix(reason, "config schema:"), strings.HasPrefix(reason, "config alias:"):
		return "modified.relation"
	case strings.HasPrefix(reason, "config"):
		return "modified.configs"
	case strings.HasPrefix(reason, "macro"):
		return "modified.macros"
	}
	return ""
}

// kinds of state: values.
var stateValues = []string{"modified", "new", "old", "unmodified", "modified.body", "modified.configs", "modified.relation", "modified.macros"}

// Method is the state: selector method.
func (s *State) Method() dag.Method {
	return dag.Method{
		Validate: func(v string) error { return oneOf("state", v, stateValues) },
		Match: func(n dag.Node, v string) bool {
			why := s.Why(n.ID)
			switch v {
			case "new":
				return len(why) == 1 && why[0] == "new"
			case "old":
				return !(len(why) == 1 && why[0] == "new")
			case "modified":
				return len(why) > 0
			case "unmodified":
				return len(why) == 0
			}
			for _, w := range why {
				if w == "new" || reasonKind(w) == v {
					return true
				}
			}
			return false
		},
	}
}

var resultValues = []string{"error", "fail", "pass", "skipped", "success", "warn"}

// ResultMethod is the result: selector method over the state's
// run_results.json.
func (s *State) ResultMethod() dag.Method {
	status := map[string]string{}
	if s.results != nil {
		for _, r := range s.results.Results {
			status[r.CDWID] = r.Status
		}
	}
	return dag.Method{
		Validate: func(v string) error {
			if s.results == nil {
				return fmt.Errorf("result: needs %s in --state %s", artifacts.RunResultsFile, s.Dir)
			}
			return oneOf("result", v, resultValues)
		},
		Match: func(n dag.Node, v string) bool { return status[n.ID] == v },
	}
}

// Deferred returns the relation node id had in the state, for --defer: a
// parent that is not built in the current target is read from there.
func (s *State) Deferred(n *project.Node) (warehouse.Relation, bool) {
	cur := s.byCDW[n.ID]
	if cur == nil {
		return warehouse.Relation{}, false
	}
	old := s.oldNode(cur.UniqueID)
	if old == nil || old.CDW.RelationTable == "" {
		return warehouse.Relation{}, false
	}
	return warehouse.Relation{Schema: old.CDW.RelationSchema, Name: old.CDW.RelationTable}, true
}

func oneOf(method, v string, valid []string) error {
	for _, x := range valid {
		if v == x {
			return nil
		}
	}
	return fmt.Errorf("%s: takes %s, not %q", method, strings.Join(valid, ", "), v)
}
