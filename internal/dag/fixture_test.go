package dag

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// Short names for the fixture's IDs.
const (
	srcD0010   = "source.raw.d0010_readings"
	srcHH      = "source.raw.halfhourly_consumption"
	seedGSP    = "seed.gsp_groups"
	stgD0010   = "model.stg_d0010_readings"
	stgHH      = "model.stg_halfhourly"
	readings   = "model.readings"
	valid      = "model.readings_valid"
	daily      = "model.daily_consumption"
	tNotNull   = "test.not_null_readings_mpxn"
	tUnique    = "test.unique_readings_valid_reading_id"
	tRel       = "test.relationships_readings_valid_mpxn__readings"
	tSingular  = "test.assert_daily_matches_readings"
	tOrphanSgl = "test.assert_no_future_readings"
)

// fixtureNodes resembles the real project: two raw sources, staging views,
// readings (incremental) -> readings_valid, daily_consumption from the
// half-hourly staging model and a seed, generic tests from YAML, a
// relationships test with two parents, a singular test reading two models,
// and a singular test with no parents at all.
func fixtureNodes() []Node {
	return []Node{
		{ID: srcD0010, Name: "raw.d0010_readings", ResourceType: "source", Path: "models/staging/sources.yml"},
		{ID: srcHH, Name: "raw.halfhourly_consumption", ResourceType: "source", Path: "models/staging/sources.yml"},
		{ID: seedGSP, Name: "gsp_groups", ResourceType: "seed", Path: "seeds/gsp_groups.csv"},
		{ID: stgD0010, Name: "stg_d0010_readings", ResourceType: "model", Path: "models/staging/stg_d0010_readings.sql",
			Tags: []string{"staging", "d0010"}, Config: map[string]any{"materialized": "view"}, Parents: []string{srcD0010}},
		{ID: stgHH, Name: "stg_halfhourly", ResourceType: "model", Path: "models/staging/stg_halfhourly.sql",
			Tags: []string{"staging"}, Config: map[string]any{"materialized": "view"}, Parents: []string{srcHH}},
		{ID: readings, Name: "readings", ResourceType: "model", Path: "models/core/readings.sql",
			Tags:   []string{"core", "nightly"},
			Config: map[string]any{"materialized": "incremental", "unique_key": []any{"mpxn", "read_at"}},
			// stgD0010 twice: duplicate refs are ignored.
			Parents: []string{stgHH, stgD0010, stgD0010}},
		{ID: valid, Name: "readings_valid", ResourceType: "model", Path: "models/core/readings_valid.sql",
			Tags:    []string{"core"},
			Config:  map[string]any{"materialized": "table", "meta": map[string]any{"owner": "billing"}},
			Parents: []string{readings}},
		{ID: daily, Name: "daily_consumption", ResourceType: "model", Path: "models/marts/daily_consumption.sql",
			Tags:    []string{"marts", "nightly"},
			Config:  map[string]any{"materialized": "table", "grants": []string{"analyst", "finance"}, "enabled": true, "threads": 4},
			Parents: []string{stgHH, seedGSP}},
		{ID: tNotNull, Name: "not_null_readings_mpxn", ResourceType: "test", Path: "models/core/schema.yml",
			Tags: []string{"core"}, Config: map[string]any{"test_type": "generic"}, Parents: []string{readings}},
		{ID: tUnique, Name: "unique_readings_valid_reading_id", ResourceType: "test", Path: "models/core/schema.yml",
			Config: map[string]any{"test_type": "generic"}, Parents: []string{valid}},
		{ID: tRel, Name: "relationships_readings_valid_mpxn__readings", ResourceType: "test", Path: "models/core/schema.yml",
			Config: map[string]any{"test_type": "generic"}, Parents: []string{valid, readings}},
		{ID: tSingular, Name: "assert_daily_matches_readings", ResourceType: "test", Path: "tests/assert_daily_matches_readings.sql",
			Config: map[string]any{"test_type": "singular"}, Parents: []string{daily, readings}},
		{ID: tOrphanSgl, Name: "assert_no_future_readings", ResourceType: "test", Path: "tests/assert_no_future_readings.sql",
			Config: map[string]any{"test_type": "singular"}},
	}
}

func mustBuild(t testing.TB, nodes []Node) *Graph {
	t.Helper()
	g, err := Build(nodes)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return g
}

// randomDAG returns n models named model.mNNNNN; each node after the first
// few has up to `parents` distinct parents drawn from earlier nodes, so the
// result is acyclic. Every tenth node carries tag "hot".
func randomDAG(seed uint64, n, parents int) []Node {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	nodes := make([]Node, n)
	for i := range nodes {
		nodes[i] = Node{
			ID:           fmt.Sprintf("model.m%05d", i),
			Name:         fmt.Sprintf("m%05d", i),
			ResourceType: "model",
			Path:         fmt.Sprintf("models/d%02d/m%05d.sql", i%37, i),
		}
		if i%10 == 0 {
			nodes[i].Tags = []string{"hot"}
		}
		for k := 0; k < parents && i > 0; k++ {
			nodes[i].Parents = append(nodes[i].Parents, nodes[r.IntN(i)].ID)
		}
	}
	return nodes
}

func shuffled(r *rand.Rand, nodes []Node) []Node {
	out := slices.Clone(nodes)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
