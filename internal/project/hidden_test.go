package project_test

import (
	"strings"
	"testing"
)

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

func TestRefToADisabledModelSaysSo(t *testing.T) {
	_, err := load(t, map[string]string{
		"models/off.sql":      "{{ config(enabled=false) }}select 1 as id",
		"tests/reads_off.sql": "select * from {{ ref('off') }}",
	})
	if err == nil || !strings.Contains(err.Error(), `tests/reads_off.sql:1: ref("off"): that model is disabled (enabled: false)`) {
		t.Fatalf("err = %v", err)
	}
}
