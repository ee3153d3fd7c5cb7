package project_test

import "testing"

// Hidden files, such as an editor's lock or backup file (emacs writes
// models/.#a.sql), are not project files: they are not loaded as models.
func TestHiddenFilesAreNotModels(t *testing.T) {
	p, err := load(t, map[string]string{
		"models/a.sql":   "select 1",
		"models/.#a.sql": "half-saved {{",
	})
	if err != nil {
		t.Fatalf("a hidden file broke the load: %v", err)
	}
	for id := range p.Nodes {
		if id != "model.a" {
			t.Errorf("unexpected node %s", id)
		}
	}
}
