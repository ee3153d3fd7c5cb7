package config

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// FuzzLoad checks that Load, Target and LoadProperties never panic, and
// that every failure on a user's file is reported as diagnostics.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(fullProject))
	f.Add([]byte(modelsYML))
	f.Add([]byte(sourcesYML))
	f.Add([]byte("name: p\ntargets:\n  a: &x {type: postgres, host: \"${H:-h}\"}\n  b: {<<: *x, port: \"{{ env_var('P', 1) }}\"}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("name: p\nmodels:\n  staging: {+tags: [a], sub: {+enabled: false}}\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"project.yml":           {Data: data},
			"models/staging/a.sql":  {Data: []byte("select 1")},
			"models/staging/sub/.k": {Data: nil},
			"models/props.yml":      {Data: data},
		}
		env := envOf("H", "host", "P", "5432")
		p, err := Load(fsys, LoadOptions{Env: env})
		var ds yamlx.Diagnostics
		if err != nil && !errors.As(err, &ds) {
			t.Fatalf("Load failed without diagnostics: %v", err)
		}
		if err == nil {
			for _, name := range p.TargetNames() {
				if _, err := p.Target(name); err != nil && !errors.As(err, &ds) {
					t.Fatalf("Target(%q) failed without diagnostics: %v", name, err)
				}
			}
			_ = p.ModelConfig("staging/sub/x.sql")
		}
		if _, err := LoadProperties(fsys, "models"); err != nil && !errors.As(err, &ds) {
			t.Fatalf("LoadProperties failed without diagnostics: %v", err)
		}
	})
}
