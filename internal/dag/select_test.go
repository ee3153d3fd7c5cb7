package dag

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// inOrderOf filters g.Order() to want, i.e. the exact slice Select must return.
func inOrderOf(g *Graph, want []string) []string {
	var out []string
	for _, id := range g.Order() {
		if slices.Contains(want, id) {
			out = append(out, id)
		}
	}
	return out
}

func TestSelect(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	all := g.Order()
	const (
		eager     = IndirectEager
		cautious  = IndirectCautious
		buildable = IndirectBuildable
		empty     = IndirectEmpty
	)
	tests := []struct {
		name    string
		sel     []string
		exclude []string
		mode    IndirectMode
		want    []string
	}{
		// Methods, with indirect selection off to isolate them.
		{"bare name", []string{"readings"}, nil, empty, []string{readings}},
		{"bare name glob", []string{"stg_*"}, nil, empty, []string{stgD0010, stgHH}},
		{"bare name ? glob", []string{"readings_vali?"}, nil, empty, []string{valid}},
		{"bare name matches a test", []string{"not_null_readings_mpxn"}, nil, empty, []string{tNotNull}},
		{"bare name matches a source", []string{"raw.d0010_readings"}, nil, empty, []string{srcD0010}},
		{"no match is not an error", []string{"nosuch"}, nil, eager, nil},
		{"tag", []string{"tag:nightly"}, nil, empty, []string{readings, daily}},
		{"tag glob", []string{"tag:d00*"}, nil, empty, []string{stgD0010}},
		{"tag on a test, direct match kept in empty mode", []string{"tag:core"}, nil, empty, []string{readings, valid, tNotNull}},
		{"path directory", []string{"path:models/staging"}, nil, empty, []string{srcD0010, srcHH, stgD0010, stgHH}},
		{"path directory with ./ and trailing /", []string{"path:./models/staging/"}, nil, empty, []string{srcD0010, srcHH, stgD0010, stgHH}},
		{"path file", []string{"path:models/core/readings.sql"}, nil, empty, []string{readings}},
		{"path prefix stops at a segment", []string{"path:models/core/readings"}, nil, empty, nil},
		{"path glob file", []string{"path:models/*/readings*.sql"}, nil, empty, []string{readings, valid}},
		{"path glob directory", []string{"path:models/m*"}, nil, empty, []string{daily}},
		{"path dot is everything with a path", []string{"path:."}, nil, empty, all},
		{"bare value with slash means path", []string{"models/core"}, nil, empty, []string{readings, valid, tNotNull, tUnique, tRel}},
		{"resource_type", []string{"resource_type:seed"}, nil, empty, []string{seedGSP}},
		{"resource_type test", []string{"resource_type:test"}, nil, empty, []string{tNotNull, tUnique, tRel, tSingular, tOrphanSgl}},
		{"source by source name", []string{"source:raw"}, nil, empty, []string{srcD0010, srcHH}},
		{"source by table", []string{"source:raw.d0010_readings"}, nil, empty, []string{srcD0010}},
		{"source glob", []string{"source:raw.half*"}, nil, empty, []string{srcHH}},
		{"source name does not match models", []string{"source:stg_halfhourly"}, nil, empty, nil},
		{"source consumers", []string{"source:raw+"}, nil, empty, []string{srcD0010, srcHH, stgD0010, stgHH, readings, valid, daily}},
		{"config string", []string{"config.materialized:incremental"}, nil, empty, []string{readings}},
		{"config glob", []string{"config.materialized:v*"}, nil, empty, []string{stgD0010, stgHH}},
		{"config []string membership", []string{"config.grants:finance"}, nil, empty, []string{daily}},
		{"config []any membership", []string{"config.unique_key:read_at"}, nil, empty, []string{readings}},
		{"config bool", []string{"config.enabled:True"}, nil, empty, []string{daily}},
		{"config number", []string{"config.threads:4"}, nil, empty, []string{daily}},
		{"config nested key", []string{"config.meta.owner:billing"}, nil, empty, []string{valid}},
		{"config missing key", []string{"config.meta.team:billing"}, nil, empty, nil},
		{"test_type generic", []string{"test_type:generic"}, nil, empty, []string{tNotNull, tUnique, tRel}},
		{"test_type singular", []string{"test_type:singular"}, nil, empty, []string{tSingular, tOrphanSgl}},

		// Graph operators. "+" and "@" never walk into tests.
		{"all ancestors", []string{"+readings"}, nil, empty, []string{srcD0010, srcHH, stgD0010, stgHH, readings}},
		{"ancestors depth 1", []string{"1+readings_valid"}, nil, empty, []string{readings, valid}},
		{"ancestors depth 2", []string{"2+readings_valid"}, nil, empty, []string{stgD0010, stgHH, readings, valid}},
		{"ancestors depth 0", []string{"0+readings_valid"}, nil, empty, []string{valid}},
		{"all descendants skip tests", []string{"stg_halfhourly+"}, nil, empty, []string{stgHH, readings, valid, daily}},
		{"descendants depth 1", []string{"stg_halfhourly+1"}, nil, empty, []string{stgHH, readings, daily}},
		{"both directions", []string{"+readings+"}, nil, empty, []string{srcD0010, srcHH, stgD0010, stgHH, readings, valid}},
		{"both directions with depths", []string{"1+readings+1"}, nil, empty, []string{stgD0010, stgHH, readings, valid}},
		{"ancestors of a test", []string{"+relationships_readings_valid_mpxn__readings"}, nil, empty,
			[]string{srcD0010, srcHH, stgD0010, stgHH, readings, valid, tRel}},
		{"at: descendants and their ancestors", []string{"@stg_d0010_readings"}, nil, empty,
			[]string{srcD0010, stgD0010, srcHH, stgHH, readings, valid}},
		{"at from a shared parent reaches everything", []string{"@stg_halfhourly"}, nil, empty,
			[]string{seedGSP, srcD0010, srcHH, stgD0010, stgHH, readings, valid, daily}},
		{"at with redundant suffix", []string{"@stg_d0010_readings+"}, nil, empty,
			[]string{srcD0010, stgD0010, srcHH, stgHH, readings, valid}},
		{"operators on a method", []string{"+tag:marts"}, nil, empty, []string{seedGSP, srcHH, stgHH, daily}},

		// Union and intersection.
		{"union within one argument", []string{"tag:staging readings_valid"}, nil, empty, []string{stgD0010, stgHH, valid}},
		{"union across arguments", []string{"readings", "daily_consumption"}, nil, empty, []string{readings, daily}},
		{"intersection", []string{"tag:nightly,tag:core"}, nil, empty, []string{readings}},
		{"intersection with operators", []string{"+readings_valid,tag:staging"}, nil, empty, []string{stgD0010, stgHH}},
		{"intersection and union", []string{"tag:nightly,config.materialized:table stg_halfhourly"}, nil, empty, []string{stgHH, daily}},
		{"empty intersection", []string{"tag:staging,tag:core"}, nil, eager, nil},
		{"nil select is everything", nil, nil, eager, all},
		{"blank select is everything", []string{"  "}, nil, empty, all},

		// Exclusion.
		{"exclude one model", []string{"+readings_valid"}, []string{"stg_halfhourly"}, empty,
			[]string{srcD0010, srcHH, stgD0010, readings, valid}},
		{"exclude with operator", []string{"+readings_valid"}, []string{"+stg_halfhourly"}, empty,
			[]string{srcD0010, stgD0010, readings, valid}},
		{"exclude union", []string{"resource_type:model"}, []string{"tag:staging daily_consumption"}, empty,
			[]string{readings, valid}},
		{"exclude intersection", []string{"tag:nightly"}, []string{"tag:nightly,tag:marts"}, empty, []string{readings}},
		{"exclude a test by name", []string{"readings"}, []string{"not_null_readings_mpxn"}, eager,
			[]string{readings, tRel, tSingular}},
		{"exclusion of a parent excludes its tests", nil, []string{"tag:core"}, eager,
			[]string{seedGSP, srcD0010, srcHH, stgD0010, stgHH, daily, tOrphanSgl}},
		{"exclusion of one parent drops a directly selected two-parent test", []string{"resource_type:test"}, []string{"readings_valid"}, empty,
			[]string{tNotNull, tSingular, tOrphanSgl}},
		{"exclude everything", []string{"readings"}, []string{"path:models"}, eager, nil},

		// Indirect selection of tests.
		{"eager: any parent selected", []string{"readings"}, nil, eager, []string{readings, tNotNull, tRel, tSingular}},
		{"default mode is eager", []string{"readings"}, nil, "", []string{readings, tNotNull, tRel, tSingular}},
		{"cautious: all parents selected", []string{"readings"}, nil, cautious, []string{readings, tNotNull}},
		{"buildable: other parent is not an ancestor", []string{"readings"}, nil, buildable, []string{readings, tNotNull}},
		{"empty: no tests", []string{"readings"}, nil, empty, []string{readings}},
		{"eager from the child side", []string{"readings_valid"}, nil, eager, []string{valid, tUnique, tRel}},
		{"cautious from the child side", []string{"readings_valid"}, nil, cautious, []string{valid, tUnique}},
		{"buildable: other parent is an ancestor", []string{"readings_valid"}, nil, buildable, []string{valid, tUnique, tRel}},
		{"cautious with both parents", []string{"readings readings_valid"}, nil, cautious, []string{readings, valid, tNotNull, tUnique, tRel}},
		{"eager after descendants", []string{"stg_halfhourly+"}, nil, eager,
			[]string{stgHH, readings, valid, daily, tNotNull, tUnique, tRel, tSingular}},
		{"eager tests of ancestors", []string{"+readings_valid"}, nil, eager,
			[]string{srcD0010, srcHH, stgD0010, stgHH, readings, valid, tNotNull, tUnique, tRel, tSingular}},
		{"cautious tests of ancestors", []string{"+readings_valid"}, nil, cautious,
			[]string{srcD0010, srcHH, stgD0010, stgHH, readings, valid, tNotNull, tUnique, tRel}},
		{"indirect test is not re-added when excluded", []string{"readings"}, []string{"test_type:singular"}, eager,
			[]string{readings, tNotNull, tRel}},
		{"directly selected test kept in cautious mode", []string{"relationships_readings_valid_mpxn__readings"}, nil, cautious, []string{tRel}},
		{"directly selected test kept in empty mode", []string{"test_type:singular"}, nil, empty, []string{tSingular, tOrphanSgl}},
		{"cautious adds a test outside the path; a parentless test is never indirect", []string{"path:models"}, nil, cautious,
			[]string{srcD0010, srcHH, stgD0010, stgHH, readings, valid, daily, tNotNull, tUnique, tRel, tSingular}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := g.Select(tc.sel, tc.exclude, SelectOptions{Indirect: tc.mode})
			if err != nil {
				t.Fatalf("Select(%q, %q): %v", tc.sel, tc.exclude, err)
			}
			if want := inOrderOf(g, tc.want); !slices.Equal(got, want) {
				t.Errorf("Select(%q, %q, %s) =\n  %v\nwant\n  %v", tc.sel, tc.exclude, tc.mode, got, want)
			}
		})
	}
}

func TestSelectErrors(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	tests := []struct {
		name    string
		sel     []string
		exclude []string
		mode    IndirectMode
		wantMsg string
		wantErr error
	}{
		{"unknown method", []string{"foo:bar"}, nil, "", `unknown selector method "foo" in "foo:bar"`, ErrUnknownMethod},
		{"unknown method with operators", []string{"readings +fqn:x+"}, nil, "", `unknown selector method "fqn" in "+fqn:x+"`, ErrUnknownMethod},
		{"unknown method in exclude", nil, []string{"state:modified"}, "", `unknown selector method "state" in "state:modified"`, ErrUnknownMethod},
		{"missing value", []string{"tag:"}, nil, "", `malformed selector: missing value in "tag:"`, ErrMalformedSelector},
		{"lone plus", []string{"+"}, nil, "", `malformed selector: missing value in "+"`, ErrMalformedSelector},
		{"empty atom", []string{"a,,b"}, nil, "", `malformed selector: empty selector between commas in "a,,b"`, ErrMalformedSelector},
		{"leading comma", []string{",a"}, nil, "", `malformed selector: empty selector between commas in ",a"`, ErrMalformedSelector},
		{"at with plus prefix", []string{"@+readings"}, nil, "", `malformed selector: "@" cannot be combined with a "+" prefix in "@+readings"`, ErrMalformedSelector},
		{"plus prefix then at", []string{"2+@readings"}, nil, "", `malformed selector: "@" cannot be combined with a "+" prefix in "2+@readings"`, ErrMalformedSelector},
		{"double plus", []string{"++readings"}, nil, "", `malformed selector: misplaced "+" or "@" in "++readings"`, ErrMalformedSelector},
		{"plus inside", []string{"read+ings"}, nil, "", `malformed selector: misplaced "+" or "@" in "read+ings"`, ErrMalformedSelector},
		{"config without key", []string{"config:table"}, nil, "", `malformed selector: config needs a key, as in config.materialized:table in "config:table"`, ErrMalformedSelector},
		{"config empty key", []string{"config.:table"}, nil, "", `malformed selector: empty config key in "config." in "config.:table"`, ErrMalformedSelector},
		{"bad test_type", []string{"test_type:integration"}, nil, "", `malformed selector: test_type must be generic, singular, data or unit, not "integration" in "test_type:integration"`, ErrMalformedSelector},
		{"bad glob", []string{"tag:[core"}, nil, "", `malformed selector: bad wildcard pattern "[core" in "tag:[core"`, ErrMalformedSelector},
		{"huge depth", []string{"99999999999999999999+readings"}, nil, "", `malformed selector: bad depth "99999999999999999999" in "99999999999999999999+readings"`, ErrMalformedSelector},
		{"unknown indirect mode", []string{"readings"}, nil, "greedy", `dag: unknown indirect selection mode "greedy" (want eager, cautious, buildable or empty)`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := g.Select(tc.sel, tc.exclude, SelectOptions{Indirect: tc.mode})
			if err == nil {
				t.Fatalf("Select succeeded with %v", got)
			}
			if err.Error() != tc.wantMsg {
				t.Errorf("error\n  %s\nwant\n  %s", err, tc.wantMsg)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(err, %v) = false", tc.wantErr)
			}
			var se *SelectorError
			if tc.wantErr != nil && (!errors.As(err, &se) || se.Selector == "") {
				t.Errorf("want a *SelectorError naming the selector, got %#v", err)
			}
		})
	}
}

// Digits that are not followed by "+" belong to the name, and "N+" is only
// a prefix at the very start.
func TestParseDigitsInNames(t *testing.T) {
	nodes := []Node{
		{ID: "model.2024_tariffs", Name: "2024_tariffs", ResourceType: "model"},
		{ID: "model.uses", Name: "uses", ResourceType: "model", Parents: []string{"model.2024_tariffs"}},
	}
	g := mustBuild(t, nodes)
	tests := map[string][]string{
		"2024_tariffs":   {"model.2024_tariffs"},
		"2024_tariffs+1": {"model.2024_tariffs", "model.uses"},
		"1+uses":         {"model.2024_tariffs", "model.uses"},
	}
	for sel, want := range tests {
		got, err := g.Select([]string{sel}, nil, SelectOptions{})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Select(%q) = %v, %v; want %v", sel, got, err, want)
		}
	}
}

func TestUnmatchedTerms(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	got, err := g.UnmatchedTerms([]string{"readings tag:nope", "source:raw,tag:core nosuch+"}, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tag:nope", "source:raw,tag:core", "nosuch+"}
	if !slices.Equal(got, want) {
		t.Errorf("UnmatchedTerms = %v, want %v", got, want)
	}
	if _, err := g.UnmatchedTerms([]string{"foo:bar"}, SelectOptions{}); err == nil || !strings.Contains(err.Error(), `"foo"`) {
		t.Errorf("UnmatchedTerms(foo:bar) error = %v, want unknown method", err)
	}
}

// TestSelectMatchesReference compares graph operators on a random DAG with
// a naive recursive closure.
func TestSelectMatchesReference(t *testing.T) {
	nodes := randomDAG(21, 400, 3)
	g := mustBuild(t, nodes)
	parents := map[string][]string{}
	children := map[string][]string{}
	for _, n := range nodes {
		for _, p := range n.Parents {
			parents[n.ID] = append(parents[n.ID], p)
			children[p] = append(children[p], n.ID)
		}
	}
	var walk func(id string, adj map[string][]string, left int, into map[string]bool)
	walk = func(id string, adj map[string][]string, left int, into map[string]bool) {
		into[id] = true
		if left == 0 {
			return
		}
		for _, x := range adj[id] {
			walk(x, adj, left-1, into)
		}
	}
	for _, seed := range []string{"m00000", "m00123", "m00399", "m00250"} {
		for _, depth := range []int{1, 2, 3} {
			id := "model." + seed
			want := map[string]bool{}
			walk(id, parents, depth, want)
			walk(id, children, depth, want)
			var wantIDs []string
			for k := range want {
				wantIDs = append(wantIDs, k)
			}
			sel := []string{strconv.Itoa(depth) + "+" + seed + "+" + strconv.Itoa(depth)}
			got, err := g.Select(sel, nil, SelectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if w := inOrderOf(g, wantIDs); !slices.Equal(got, w) {
				t.Errorf("Select(%q): got %d nodes, want %d", sel, len(got), len(w))
			}
		}
	}
}

// TestConcurrentUse runs readers in parallel; run with -race to check the
// "safe for concurrent use" contract.
func TestConcurrentUse(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	want, err := g.Select([]string{"+readings_valid"}, []string{"stg_halfhourly"}, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string)
	for range 8 {
		go func() {
			got, _ := g.Select([]string{"+readings_valid"}, []string{"stg_halfhourly"}, SelectOptions{})
			_ = g.Order()
			_ = g.Descendants(stgHH, -1)
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("concurrent Select = %v, want %v", got, want)
		}
	}
}

func TestSelectWithCallerMethods(t *testing.T) {
	g := mustBuild(t, fixtureNodes())
	changed := map[string]bool{"model.stg_halfhourly": true}
	opts := SelectOptions{Indirect: IndirectEmpty, Methods: map[string]Method{
		"state": {
			Validate: func(v string) error {
				if v != "modified" {
					return fmt.Errorf("state takes modified, not %q", v)
				}
				return nil
			},
			Match: func(n Node, v string) bool { return changed[n.ID] },
		},
	}}
	got, err := g.Select([]string{"state:modified+"}, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := g.Select([]string{"stg_halfhourly+"}, nil, SelectOptions{Indirect: IndirectEmpty})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("state:modified+ = %v, want %v", got, want)
	}
	if _, err := g.Select([]string{"state:new"}, nil, opts); err == nil || !strings.Contains(err.Error(), `state takes modified, not "new" in "state:new"`) {
		t.Fatalf("bad value: %v", err)
	}
	if _, err := g.Select([]string{"state:modified"}, nil, SelectOptions{}); !errors.Is(err, ErrUnknownMethod) {
		t.Fatalf("without the method: %v", err)
	}
}
