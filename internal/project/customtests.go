package project

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/template"
)

// customGenericTest builds the node of a test declared in YAML whose name
// is not one of cdw's built-ins but a {% test name(model, ...) %} block of
// the project or of a package (name or package.name, dbt's generic tests).
// The test's query is the block's output for the tested relation
// (filtered by `where`), its column and the YAML arguments; it compiles
// like a singular test. ok is false when no such block exists.
func (p *Project) customGenericTest(on *Node, prefix string, t config.TestDecl) (n *Node, ok bool, err error) {
	macro := "test_" + t.Name
	if space, name, dotted := strings.Cut(t.Name, "."); dotted {
		macro = space + ".test_" + name
	}
	if !p.Engine.Callable(macro) {
		return nil, false, nil
	}
	model := "ref(" + jinjaString(on.Name) + ")"
	if src, tbl, isSource := strings.Cut(on.Name, "."); on.Kind == KindSource && isSource {
		model = "source(" + jinjaString(src) + ", " + jinjaString(tbl) + ")"
	}
	if t.Where != "" {
		model = "'(select * from ' ~ " + model + " ~ ' where ' ~ " + jinjaString(t.Where) + " ~ ') dbt_subquery'"
	}
	args := []string{"model=" + model}
	if t.Column != "" {
		args = append(args, "column_name="+jinjaString(t.Column))
	}
	keys := make([]string, 0, len(t.Args))
	for k := range t.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lit, err := jinjaLiteral(t.Args[k])
		if err != nil {
			return nil, true, fmt.Errorf("%s: argument %s: %v", t.Name, k, err)
		}
		args = append(args, k+"="+lit)
	}
	src := "{{ " + macro + "(" + strings.Join(args, ", ") + ") }}"
	tpl, err := p.Engine.Parse(t.Pos.File, src)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %v", t.Name, err)
	}
	out, err := tpl.Render(template.Context{Vars: p.Vars, Env: p.Env, Target: p.targetInfo(), Resolver: parseResolver{p}})
	if err != nil {
		return nil, true, fmt.Errorf("%s: %s", t.Name, strings.TrimPrefix(err.Error(), t.Pos.File+":1: "))
	}
	parents := []string{on.ID}
	for _, r := range out.Refs {
		id, _ := p.refID(r)
		parents = appendNew(parents, id)
	}
	for _, s := range out.Sources {
		parents = appendNew(parents, sourceID(s[0], s[1]))
	}
	name := prefix + strings.ReplaceAll(t.Name, ".", "_") + "_" + strings.ReplaceAll(on.Name, ".", "_")
	if t.Column != "" {
		name += "_" + t.Column
	}
	name = sanitize(name)
	spec := &Test{On: on.ID, Column: t.Column, Args: t.Args, Severity: quality.Severity(t.Severity),
		Limit: t.Limit, WarnIf: t.WarnIf, ErrorIf: t.ErrorIf, StoreFailures: t.StoreFailures != nil && *t.StoreFailures}
	if spec.Severity == "" {
		spec.Severity = quality.SeverityError
	}
	// The test compiles like a singular test, whose SQL is written under
	// its path: <yml file>/<test name>.sql keeps it beside the built-in
	// generic tests of that file, as dbt lays out compiled tests.
	return &Node{ID: KindTest + "." + name, Kind: KindTest, Name: name, Path: path.Join(t.Pos.File, name+".sql"),
		Parents: parents, Test: spec, Tags: on.Tags, Template: tpl, Raw: src}, true, nil
}

// refOrSource matches a string argument that dbt evaluates as a relation.
var refOrSource = regexp.MustCompile(`^\s*(ref|source)\s*\(.*\)\s*$`)

// jinjaString renders s as a Jinja string literal.
func jinjaString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// jinjaLiteral renders a YAML value as a Jinja literal; a string that is
// a ref() or source() call stays an expression, as dbt evaluates it.
func jinjaLiteral(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "none", nil
	case string:
		if refOrSource.MatchString(x) {
			return strings.TrimSpace(x), nil
		}
		return jinjaString(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			lit, err := jinjaLiteral(item)
			if err != nil {
				return "", err
			}
			parts[i] = lit
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			lit, err := jinjaLiteral(x[k])
			if err != nil {
				return "", err
			}
			parts[i] = jinjaString(k) + ": " + lit
		}
		return "{" + strings.Join(parts, ", ") + "}", nil
	}
	return "", fmt.Errorf("cannot pass a %T to a test", v)
}
