package state

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cdw-dev/cdw/internal/artifacts"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/project"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

func node(id, body string, cfg map[string]any, macros ...string) *artifacts.Node {
	n := &artifacts.Node{
		UniqueID: "model.p." + id, Name: id, Config: cfg,
		Checksum: artifacts.Checksum{Name: "sha256", Checksum: body},
		CDW:      artifacts.NodeExtra{ID: "model." + id, RelationSchema: "prod", RelationTable: id},
	}
	n.DependsOn.Macros = macros
	return n
}

func manifest(nodes ...*artifacts.Node) *artifacts.Manifest {
	m := &artifacts.Manifest{Metadata: artifacts.Metadata{ProjectName: "p"}, Nodes: map[string]*artifacts.Node{},
		Sources: map[string]*artifacts.Node{}, Macros: map[string]*artifacts.Macro{}}
	for _, n := range nodes {
		m.Nodes[n.UniqueID] = n
	}
	return m
}

func load(t *testing.T, old, cur *artifacts.Manifest, results *artifacts.RunResults) *State {
	t.Helper()
	dir := t.TempDir()
	if err := artifacts.WriteManifest(dir, old); err != nil {
		t.Fatal(err)
	}
	if results != nil {
		if err := artifacts.WriteRunResults(dir, results); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Load(dir, cur)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWhyNamesEachKindOfChange(t *testing.T) {
	old := manifest(
		node("same", "b1", map[string]any{"materialized": "table"}),
		node("body", "b1", map[string]any{}),
		node("cfg", "b1", map[string]any{"materialized": "view", "tags": []any{"a"}}),
		node("schema", "b1", map[string]any{"schema": "x"}),
		node("mac", "b1", map[string]any{}, "macro.p.m"),
	)
	old.Macros["macro.p.m"] = &artifacts.Macro{UniqueID: "macro.p.m", Checksum: artifacts.Checksum{Checksum: "m1"}}
	cur := manifest(
		node("same", "b1", map[string]any{"materialized": "table"}),
		node("body", "b2", map[string]any{}),
		node("cfg", "b1", map[string]any{"materialized": "table", "tags": []string{"a"}}),
		node("schema", "b1", map[string]any{"schema": "y"}),
		node("mac", "b1", map[string]any{}, "macro.p.m"),
		node("fresh", "b1", map[string]any{}),
	)
	cur.Macros["macro.p.m"] = &artifacts.Macro{UniqueID: "macro.p.m", Checksum: artifacts.Checksum{Checksum: "m2"}}
	s := load(t, old, cur, nil)
	want := map[string][]string{
		"model.same":   nil,
		"model.body":   {"body changed"},
		"model.cfg":    {"config materialized: view → table"},
		"model.schema": {"config schema: x → y"},
		"model.mac":    {"macro m changed"},
		"model.fresh":  {"new"},
	}
	for id, w := range want {
		if got := s.Why(id); !reflect.DeepEqual(got, w) {
			t.Errorf("Why(%s) = %q, want %q", id, got, w)
		}
	}
	m := s.Method()
	for v, ids := range map[string][]string{
		"modified":          {"model.body", "model.cfg", "model.schema", "model.mac", "model.fresh"},
		"new":               {"model.fresh"},
		"unmodified":        {"model.same"},
		"modified.body":     {"model.body", "model.fresh"},
		"modified.configs":  {"model.cfg", "model.fresh"},
		"modified.relation": {"model.schema", "model.fresh"},
		"modified.macros":   {"model.mac", "model.fresh"},
	} {
		var got []string
		for _, id := range []string{"model.same", "model.body", "model.cfg", "model.schema", "model.mac", "model.fresh"} {
			if m.Match(dag.Node{ID: id}, v) {
				got = append(got, id)
			}
		}
		if !reflect.DeepEqual(got, ids) {
			t.Errorf("state:%s matches %v, want %v", v, got, ids)
		}
	}
	if err := m.Validate("bogus"); err == nil {
		t.Error("state:bogus validated")
	}
}

func TestResultMethodAndDeferral(t *testing.T) {
	old := manifest(node("a", "x", nil), node("b", "x", nil))
	rr := &artifacts.RunResults{Results: []artifacts.Result{{CDWID: "model.a", Status: "error"}, {CDWID: "model.b", Status: "success"}}}
	s := load(t, old, manifest(node("a", "x", nil), node("b", "x", nil), node("c", "x", nil)), rr)
	rm := s.ResultMethod()
	if !rm.Match(dag.Node{ID: "model.a"}, "error") || rm.Match(dag.Node{ID: "model.b"}, "error") {
		t.Error("result:error matched wrongly")
	}
	if err := rm.Validate("exploded"); err == nil {
		t.Error("result:exploded validated")
	}
	rel, ok := s.Deferred(&project.Node{ID: "model.a"})
	if !ok || rel != (warehouse.Relation{Schema: "prod", Name: "a"}) {
		t.Errorf("Deferred(a) = %v %v", rel, ok)
	}
	if _, ok := s.Deferred(&project.Node{ID: "model.c"}); ok {
		t.Error("a node new since the state was deferred")
	}
	// Without run_results.json, result: says what is missing.
	dir := t.TempDir()
	if err := artifacts.WriteManifest(dir, old); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(dir, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.ResultMethod().Validate("error"); err == nil {
		t.Error("result: without run_results.json validated")
	}
	if _, err := Load(filepath.Join(dir, "missing"), old); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("Load of a missing folder: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// A config read back from a state file (JSON: float64 numbers, []any,
// map[string]any) equals the same config fresh, so a source with a
// freshness block is not always "modified".
func TestConfigDiffIgnoresJSONRoundTrip(t *testing.T) {
	fresh := map[string]any{
		"freshness": map[string]any{"warn_after": map[string]any{"count": 3, "period": "day"}},
		"tags":      []string{"a"},
	}
	readBack := map[string]any{
		"freshness": map[string]any{"warn_after": map[string]any{"count": float64(3), "period": "day"}},
		"tags":      []any{"a"},
	}
	if d := configDiff(readBack, fresh); len(d) != 0 {
		t.Errorf("configDiff = %v, want none", d)
	}
	readBack["freshness"] = map[string]any{"warn_after": map[string]any{"count": float64(4), "period": "day"}}
	if d := configDiff(readBack, fresh); len(d) != 1 {
		t.Errorf("configDiff = %v, want the freshness change", d)
	}
}
