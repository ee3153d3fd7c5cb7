package config

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// loadExtractors records the raw `extractors:` mapping (extractor name →
// that extractor's settings). Only its shape is checked here; each
// extractor decodes and validates its own settings.
func (p *Project) loadExtractors(d *yamlx.Decoder, n *yaml.Node) {
	p.extractors = make(map[string]*yaml.Node)
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, "extractors", "a mapping of extractor names to their settings")
		return
	}
	for _, pair := range d.Pairs(n, "extractors") {
		val := d.Resolve(pair.Value)
		if val == nil || yamlx.IsNull(val) {
			continue
		}
		if val.Kind != yaml.MappingNode {
			d.TypeError(val, "extractors."+pair.Key.Value, "a mapping of settings")
			continue
		}
		p.extractors[pair.Key.Value] = val
	}
}

// ExtractorNames lists the extractors that have settings, sorted.
func (p *Project) ExtractorNames() []string {
	names := make([]string, 0, len(p.extractors))
	for k := range p.extractors {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Extractor returns the settings of the named extractor with environment
// references expanded now, or nil when project.yml has none for it. The
// node keeps its positions, so an extractor decoding it with yamlx reports
// problems as project.yml:LINE:COL. A missing variable is a
// yamlx.Diagnostics error at the value.
func (p *Project) Extractor(name string) (*yaml.Node, error) {
	n, ok := p.extractors[name]
	if !ok {
		return nil, nil
	}
	d := yamlx.NewDecoder(ProjectFile)
	ex := &expander{d: d, env: p.env, memo: make(map[*yaml.Node]*yaml.Node)}
	out := ex.copy(n, "extractors."+name)
	if err := d.Diagnostics().Err(); err != nil {
		return nil, err
	}
	return out, nil
}
