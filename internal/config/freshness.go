package config

import (
	"fmt"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// FreshnessDecl is a source's or source table's `freshness:`: how old the
// newest row (max of loaded_at_field) may be before `cdw freshness` warns
// or errors. At least one threshold is set.
type FreshnessDecl struct {
	WarnAfter, ErrorAfter *FreshnessPeriod
	// Filter is an optional SQL condition limiting the rows looked at.
	Filter string
	Pos    yamlx.Pos
}

// FreshnessPeriod is `{count: N, period: minute|hour|day}`.
type FreshnessPeriod struct {
	Count  int
	Period string
}

var freshnessPeriods = []string{"minute", "hour", "day"}

// Duration is the period as a time.Duration (a day is 24 hours).
func (p FreshnessPeriod) Duration() time.Duration {
	unit := time.Minute
	switch p.Period {
	case "hour":
		unit = time.Hour
	case "day":
		unit = 24 * time.Hour
	}
	return time.Duration(p.Count) * unit
}

// String renders the period as "6 hours" or "1 day".
func (p FreshnessPeriod) String() string {
	if p.Count == 1 {
		return "1 " + p.Period
	}
	return fmt.Sprintf("%d %ss", p.Count, p.Period)
}

// freshnessField decodes `freshness:`; an explicit null is remembered
// because on a table it switches off the source's freshness.
type freshnessField struct {
	decl *FreshnessDecl
	null bool
}

// UnmarshalYAMLX implements yamlx.Unmarshaler.
func (f *freshnessField) UnmarshalYAMLX(d *yamlx.Decoder, n *yaml.Node, field string) {
	if yamlx.IsNull(n) {
		f.null = true
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, field, "a mapping with warn_after and/or error_after")
		return
	}
	decl := &FreshnessDecl{Pos: d.Pos(n)}
	before := len(d.Diagnostics())
	keys := []string{"warn_after", "error_after", "filter"}
	for _, p := range d.Pairs(n, field) {
		sub := yamlx.Field(field, p.Key.Value)
		switch p.Key.Value {
		case "warn_after":
			decl.WarnAfter = decodePeriod(d, p.Value, sub)
		case "error_after":
			decl.ErrorAfter = decodePeriod(d, p.Value, sub)
		case "filter":
			v := d.Resolve(p.Value)
			if v == nil || v.Kind != yaml.ScalarNode || yamlx.IsNull(v) {
				if v != nil {
					d.TypeError(v, sub, "a SQL condition")
				}
				continue
			}
			decl.Filter = v.Value
		default:
			d.UnknownKey(p.Key, field, keys)
		}
	}
	if decl.WarnAfter == nil && decl.ErrorAfter == nil {
		if len(d.Diagnostics()) > before {
			return
		}
		d.Report(n, field, "set warn_after and/or error_after, e.g. warn_after: {count: 12, period: hour}")
		return
	}
	f.decl = decl
}

// decodePeriod decodes {count, period}; nil when it is wrong (reported).
func decodePeriod(d *yamlx.Decoder, n *yaml.Node, field string) *FreshnessPeriod {
	var raw struct {
		Count  *int   `yaml:"count" yamlx:"required"`
		Period string `yaml:"period" yamlx:"required"`
	}
	before := len(d.Diagnostics())
	d.Decode(n, field, &raw)
	if len(d.Diagnostics()) > before {
		return nil
	}
	n = d.Resolve(n)
	if raw.Count == nil || *raw.Count <= 0 {
		d.Report(n, yamlx.Field(field, "count"), "must be a positive whole number")
		return nil
	}
	if !slices.Contains(freshnessPeriods, raw.Period) {
		d.Report(n, yamlx.Field(field, "period"), unknownValue("period", raw.Period, freshnessPeriods))
		return nil
	}
	return &FreshnessPeriod{Count: *raw.Count, Period: raw.Period}
}

// Freshness returns the freshness check of table t of source s: the
// table's loaded_at_field and freshness, each falling back to the
// source's. ok is false when there is nothing to check: no freshness, a
// table that sets `freshness: null`, or no loaded_at_field (reported by
// the caller).
func Freshness(s SourceDecl, t SourceTableDecl) (field string, f *FreshnessDecl, ok bool) {
	field = t.LoadedAtField
	if field == "" {
		field = s.LoadedAtField
	}
	switch {
	case t.FreshnessNull:
		return field, nil, false
	case t.Freshness != nil:
		f = t.Freshness
	default:
		f = s.Freshness
	}
	return field, f, f != nil && field != ""
}
