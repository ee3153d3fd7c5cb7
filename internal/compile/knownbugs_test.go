//go:build cdw_knownbugs

package compile_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestKnownBugs compiles and re-executes the scenarios under
// testdata/knownbugs: each reproduces a bug outside this package and fails
// until it is fixed, so it is kept out of the default test run. Once one
// passes, move it to testdata/scenarios.
func TestKnownBugs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "knownbugs", "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no known-bug scenarios: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			goldenScenario(t, path)
			for _, e := range engines {
				t.Run(e.name, func(t *testing.T) { rerunScenario(t, e, path) })
			}
		})
	}
}
