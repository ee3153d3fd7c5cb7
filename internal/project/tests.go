package project

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// addSingularTests creates a test node per SQL file under tests/: a query
// selecting failing rows. {{ config(severity='warn') }} makes it a warning.
func (p *Project) addSingularTests(files map[string]string) error {
	var probs Problems
	for _, path := range sortedPaths(files) {
		name := baseName(path)
		n := &Node{ID: KindTest + "." + name, Kind: KindTest, Name: name, Path: path,
			Test: &Test{Severity: quality.SeverityError}}
		if _, dup := p.Nodes[n.ID]; dup {
			probs = append(probs, fmt.Sprintf("%s: test %q is defined twice", path, name))
			continue
		}
		tpl, err := p.Engine.Parse(path, files[path])
		if err != nil {
			probs.add(err)
			continue
		}
		n.Template = tpl
		n.Raw = files[path]
		out, err := tpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo(), Resolver: parseResolver{p}})
		if err != nil {
			probs.add(err)
			continue
		}
		for k, v := range out.Config {
			switch k {
			case "severity":
				s, _ := v.(string)
				if s != string(quality.SeverityError) && s != string(quality.SeverityWarn) {
					probs = append(probs, fmt.Sprintf("%s: config(severity=%v): must be 'error' or 'warn'", path, v))
				}
				n.Test.Severity = quality.Severity(s)
			case "warn_if", "error_if":
				str, _ := v.(string)
				c, err := quality.ParseCondition(str)
				if err != nil {
					probs = append(probs, fmt.Sprintf("%s: config(%s=%v): %v", path, k, v, err))
					continue
				}
				if k == "warn_if" {
					n.Test.WarnIf = c
				} else {
					n.Test.ErrorIf = c
				}
			case "limit":
				lim, ok := wholeNumber(v)
				if !ok || lim <= 0 {
					probs = append(probs, fmt.Sprintf("%s: config(limit=%v): must be a positive whole number", path, v))
					continue
				}
				n.Test.Limit = lim
			case "store_failures":
				b, ok := v.(bool)
				if !ok {
					probs = append(probs, fmt.Sprintf("%s: config(store_failures=%v): must be true or false", path, v))
					continue
				}
				n.Test.StoreFailures = b
			case "tags":
				switch t := v.(type) {
				case string:
					n.Tags = []string{t}
				case []any:
					for _, x := range t {
						n.Tags = append(n.Tags, fmt.Sprint(x))
					}
				}
			default:
				probs = append(probs, fmt.Sprintf("%s: config(%s=...): tests take severity, warn_if, error_if, limit, store_failures and tags", path, k))
			}
		}
		for _, r := range out.Refs {
			id, _ := p.refID(r)
			n.Parents = appendNew(n.Parents, id)
		}
		for _, s := range out.Sources {
			n.Parents = appendNew(n.Parents, sourceID(s[0], s[1]))
		}
		p.Nodes[n.ID] = n
	}
	return errOrNil(probs)
}

// addGenericTests creates a test node per test declared in properties YAML
// on a model, a source table or one of their columns.
func (p *Project) addGenericTests(props *config.Properties) error {
	var probs Problems
	add := func(on *Node, prefix string, t config.TestDecl) {
		n, err := p.genericTest(on, prefix, t)
		if err != nil {
			probs = append(probs, at(t.Pos, err.Error()))
			return
		}
		if prev, dup := p.Nodes[n.ID]; dup {
			// Same test twice with different arguments: disambiguate by position.
			sum := sha1.Sum([]byte(fmt.Sprintf("%s:%d:%d", t.Pos.File, t.Pos.Line, t.Pos.Col)))
			n.Name += "_" + hex.EncodeToString(sum[:4])
			n.ID = KindTest + "." + n.Name
			if _, again := p.Nodes[n.ID]; again {
				probs = append(probs, at(t.Pos, fmt.Sprintf("test %s is declared twice (also in %s)", n.Name, prev.Path)))
				return
			}
		}
		p.Nodes[n.ID] = n
	}
	for _, m := range props.Models {
		on, ok := p.Model(m.Name)
		if !ok {
			continue // reported by addModels, or disabled
		}
		for _, t := range m.Tests {
			add(on, "", t)
		}
		for _, c := range m.Columns {
			for _, t := range c.Tests {
				add(on, "", t)
			}
		}
	}
	for _, sd := range props.Seeds {
		if on := p.Nodes[KindSeed+"."+sd.Name]; on != nil {
			for _, t := range sd.AllTests() {
				add(on, "", t)
			}
		}
	}
	for _, sn := range props.Snapshots {
		if on := p.Nodes[KindSnapshot+"."+sn.Name]; on != nil {
			for _, t := range sn.AllTests() {
				add(on, "", t)
			}
		}
	}
	for _, s := range props.Sources {
		for _, tbl := range s.Tables {
			on := p.Nodes[sourceID(s.Name, tbl.Name)]
			if on == nil {
				continue
			}
			for _, t := range tbl.Tests {
				add(on, "source_", t)
			}
			for _, c := range tbl.Columns {
				for _, t := range c.Tests {
					add(on, "source_", t)
				}
			}
		}
	}
	return errOrNil(probs)
}

var refArg = regexp.MustCompile(`^\s*(ref|source)\s*\(`)

func (p *Project) genericTest(on *Node, prefix string, t config.TestDecl) (*Node, error) {
	if !quality.IsGeneric(t.Name) {
		if n, ok, err := p.customGenericTest(on, prefix, t); ok || err != nil {
			return n, err
		}
		return nil, fmt.Errorf("unknown test %q (generic tests: %s; or write a singular test in %s/)", t.Name, strings.Join(quality.Generic, ", "), p.Config.Paths.Tests)
	}
	if t.Column == "" {
		return nil, fmt.Errorf("test %q needs a column: declare it under `columns:`", t.Name)
	}
	spec := &Test{Generic: t.Name, On: on.ID, Column: t.Column, Args: t.Args, Severity: quality.Severity(t.Severity), Where: t.Where,
		Limit: t.Limit, WarnIf: t.WarnIf, ErrorIf: t.ErrorIf, StoreFailures: t.StoreFailures != nil && *t.StoreFailures, NewRowsOnly: t.NewRowsOnly}
	if spec.Severity == "" {
		spec.Severity = quality.SeverityError
	}
	if t.NewRowsOnly && (on.Kind != KindModel || on.Config.EffectiveMaterialized() != config.MaterializedIncremental) {
		what := on.Kind
		if on.Kind == KindModel {
			what = on.Config.EffectiveMaterialized() + " model"
		}
		return nil, fmt.Errorf("new_rows_only tests the rows an incremental run adds; %s is a %s", on.Name, what)
	}
	subject := strings.ReplaceAll(on.Name, ".", "_")
	name := prefix + t.Name + "_" + subject + "_" + t.Column
	parents := []string{on.ID}
	var allowed []string
	switch t.Name {
	case "accepted_values":
		allowed = []string{"values", "quote"}
		vals, ok := t.Args["values"].([]any)
		if !ok || len(vals) == 0 {
			return nil, fmt.Errorf("accepted_values needs `values:` with a list of values")
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		name += "__" + strings.Join(parts, "__")
	case "relationships":
		allowed = []string{"to", "field"}
		to, _ := t.Args["to"].(string)
		field, _ := t.Args["field"].(string)
		if to == "" || field == "" {
			return nil, fmt.Errorf("relationships needs `to: ref('model')` and `field: column`")
		}
		if !refArg.MatchString(to) {
			return nil, fmt.Errorf("relationships: `to` must be ref('model') or source('src', 'table'), got %q", to)
		}
		// Render `to` like a template so ref/source resolve (and fail) as in models.
		tpl, err := p.Engine.Parse(t.Pos.File, "{{ "+to+" }}")
		if err != nil {
			return nil, fmt.Errorf("relationships: `to`: %v", err)
		}
		out, err := tpl.Render(template.Context{Resolver: parseResolver{p}})
		if err != nil {
			return nil, fmt.Errorf("relationships: `to`: %s", strings.TrimPrefix(err.Error(), t.Pos.File+":1: "))
		}
		for _, r := range out.Refs {
			id, _ := p.refID(r)
			parents = appendNew(parents, id)
			spec.To = id
		}
		for _, s := range out.Sources {
			parents = appendNew(parents, sourceID(s[0], s[1]))
			spec.To = sourceID(s[0], s[1])
		}
		name += "__" + field + "__" + sanitize(to)
	}
	for k := range t.Args {
		if !containsStr(allowed, k) {
			sort.Strings(allowed)
			if len(allowed) == 0 {
				return nil, fmt.Errorf("%s takes no arguments, got %q", t.Name, k)
			}
			return nil, fmt.Errorf("%s: unknown argument %q (takes %s)", t.Name, k, strings.Join(allowed, ", "))
		}
	}
	name = sanitize(name)
	return &Node{ID: KindTest + "." + name, Kind: KindTest, Name: name, Path: t.Pos.File, Parents: parents, Test: spec, Tags: on.Tags}, nil
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func sanitize(s string) string { return strings.Trim(nonIdent.ReplaceAllString(s, "_"), "_") }

func at(pos yamlx.Pos, msg string) string {
	return yamlx.Diagnostic{Path: pos.File, Line: pos.Line, Col: pos.Col, Msg: msg}.Error()
}

func appendNew(list []string, s string) []string {
	if containsStr(list, s) {
		return list
	}
	return append(list, s)
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wholeNumber reads a config() value that should be a whole number.
func wholeNumber(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	}
	return 0, false
}
