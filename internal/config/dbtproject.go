package config

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// DBTProjectFile is dbt's project file. A project root holding it and no
// project.yml is loaded as a dbt project: its keys are translated into the
// same Project a project.yml gives (name, vars, hooks, folder config), its
// targets come from dbt's profiles.yml, and what dbt has beyond that is in
// Project.DBT. Keys cdw does not use are ignored with a warning
// (Project.Warnings) instead of failing the load, so an existing dbt
// project loads unchanged; project.yml stays strict.
const DBTProjectFile = "dbt_project.yml"

// dbtProjectName is the shape of a dbt project or package name.
var dbtProjectName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// DBTProject is what a project loaded from dbt_project.yml carries beyond
// the fields every Project has. Folder lists are slash-separated, cleaned
// and relative to the project root, with dbt's defaults applied.
type DBTProject struct {
	// Profile names the profiles.yml entry the targets come from
	// (`profile:`, default the project name).
	Profile string
	// ModelPaths, SeedPaths, TestPaths, MacroPaths and SnapshotPaths are
	// dbt's *-paths lists (defaults models, seeds, tests, macros,
	// snapshots). Project.Paths holds the first of each.
	ModelPaths, SeedPaths, TestPaths, MacroPaths, SnapshotPaths []string
	// DocsPaths are searched for {% docs %} blocks in .md files; dbt's
	// default is every resource folder.
	DocsPaths []string
	// PackagesPath is where `dbt deps` installs packages (dbt_packages).
	PackagesPath string
	// Packages are the installed packages found under PackagesPath
	// (folders with a dbt_project.yml), sorted by name. cdw uses their
	// macros; it does not build their models.
	Packages []Package
	// Dispatch is dbt_project.yml's `dispatch:`: for a macro namespace,
	// the packages adapter.dispatch searches, in order.
	Dispatch map[string][]string
	// ProfileFile is the profiles.yml the targets were read from, "" when
	// none was found and the embedded DuckDB default is used.
	ProfileFile string
	// Notice, when not empty, is said once on stderr by the CLI: no
	// profile was found and the embedded DuckDB default is used.
	Notice string

	seeds *seedTree
}

// Package is an installed dbt package (dbt_packages/<dir>).
type Package struct {
	// Name is the package's project name (its dbt_project.yml `name:`).
	Name string
	// Dir is its folder, relative to the project root.
	Dir string
	// MacroPaths are its macro folders, relative to the project root.
	MacroPaths []string
}

// dbtSilentKeys are dbt_project.yml keys that change nothing cdw does
// (dbt's own bookkeeping), so they are accepted without a warning.
var dbtSilentKeys = map[string]bool{
	"config-version": true, "require-dbt-version": true, "clean-targets": true, "log-path": true,
	"asset-paths": true, "analysis-paths": true, "query-comment": true, "flags": true, "analyses": true,
	"dbt-cloud": true, "packages-install-path": true, "docs-paths": true,
}

// dbtLoader reads dbt_project.yml (and profiles.yml) into a Project.
type dbtLoader struct {
	d        *yamlx.Decoder
	fsys     fs.FS
	env      func(string) (string, bool)
	p        *Project
	warnings yamlx.Diagnostics
}

// warn records a warning at n.
func (l *dbtLoader) warn(file string, n *yaml.Node, field, msg string) {
	l.warnings.Add(yamlx.Pos{File: file, Line: n.Line, Col: n.Column}, yamlx.Prefix(field, msg))
}

// loadDBT loads a dbt project: dbt_project.yml at the root of fsys and
// the profile it names from the first profiles.yml of opts.ProfileDirs.
// Problems are returned together as a yamlx.Diagnostics.
func loadDBT(fsys fs.FS, opts LoadOptions) (*Project, error) {
	data, err := fs.ReadFile(fsys, DBTProjectFile)
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", DBTProjectFile, err)
	}
	env := opts.Env
	if env == nil {
		env = noEnv
	}
	root, diags := yamlx.Parse(DBTProjectFile, data)
	if diags != nil {
		return nil, diags.Err()
	}
	if root == nil {
		return nil, yamlx.Diagnostics{{Path: DBTProjectFile, Msg: "the file is empty; it needs at least a name: key"}}
	}
	d := yamlx.NewDecoder(DBTProjectFile)
	if root.Kind != yaml.MappingNode {
		d.TypeError(root, "", "a mapping")
		return nil, d.Diagnostics().Err()
	}
	ex := &expander{d: d, env: env, memo: make(map[*yaml.Node]*yaml.Node)}
	root = ex.copyProject(root)
	l := &dbtLoader{d: d, fsys: fsys, env: env}
	p := &Project{Vars: map[string]any{}, env: env, DBT: &DBTProject{}, models: &folderConfig{}}
	l.p = p
	pairs := d.Pairs(root, "")
	keys := map[string]yamlx.Pair{}
	for _, pair := range pairs {
		keys[pair.Key.Value] = pair
	}
	l.scalars(root, keys)
	l.paths(keys)
	l.findPackages()
	for _, pair := range pairs {
		key, val := pair.Key.Value, pair.Value
		switch key {
		case "name", "version", "profile", "target-path", "model-paths", "seed-paths", "test-paths",
			"macro-paths", "snapshot-paths", "docs-paths", "packages-install-path":
			// read above
		case "vars":
			l.vars(val)
		case "on-run-start":
			d.Decode(val, key, &p.OnRunStart)
		case "on-run-end":
			d.Decode(val, key, &p.OnRunEnd)
		case "dispatch":
			l.dispatch(val)
		case "models":
			t := &treeLoader{l: l, kind: "models", roots: p.DBT.ModelPaths, ext: ".sql", isConfig: isModelConfigName}
			lv := &dbtLevel{}
			t.load(val, key, "", lv, true)
			p.models = l.modelTree(lv)
		case "seeds":
			t := &treeLoader{l: l, kind: "seeds", roots: p.DBT.SeedPaths, ext: ".csv", isConfig: isSeedConfigName}
			lv := &dbtLevel{}
			t.load(val, key, "", lv, true)
			p.DBT.seeds = l.seedTree(lv)
		default:
			if dbtSilentKeys[key] {
				continue
			}
			if v := d.Resolve(val); v != nil && yamlx.IsNull(v) {
				continue
			}
			l.warn(DBTProjectFile, pair.Key, key, dbtKeyWarning(key))
		}
	}
	if err := d.Diagnostics().Err(); err != nil {
		return nil, err
	}
	if err := l.loadProfile(opts.ProfileDirs); err != nil {
		return nil, err
	}
	l.warnings.Sort()
	for _, w := range l.warnings {
		p.Warnings = append(p.Warnings, w.String())
	}
	return p, nil
}

// dbtKeyWarning says why a dbt_project.yml key is ignored.
func dbtKeyWarning(key string) string {
	switch key {
	case "snapshots", "tests", "data_tests", "sources", "unit_tests", "exposures", "metrics",
		"semantic-models", "saved-queries", "functions":
		return "folder-level " + key + " config is not supported by cdw; ignored (set it in properties YAML)"
	case "quoting":
		return "not supported by cdw (identifiers are always quoted); ignored"
	}
	return "unknown dbt_project.yml key; ignored"
}

// scalars reads name, version and profile.
func (l *dbtLoader) scalars(root *yaml.Node, keys map[string]yamlx.Pair) {
	d, p := l.d, l.p
	name, ok := keys["name"]
	if !ok {
		d.Reportf(root, "", "missing required key %q", "name")
	} else {
		d.Decode(name.Value, "name", &p.Name)
		if p.Name != "" && !dbtProjectName.MatchString(p.Name) {
			d.Reportf(d.Resolve(name.Value), "name", "%q is not a valid project name; use letters, digits and underscores, not starting with a digit", p.Name)
		}
	}
	if v, ok := keys["version"]; ok {
		d.Decode(v.Value, "version", &p.Version)
	}
	p.DBT.Profile = p.Name
	if v, ok := keys["profile"]; ok {
		d.Decode(v.Value, "profile", &p.DBT.Profile)
	}
}

// paths reads the *-paths keys, applying dbt's defaults.
func (l *dbtLoader) paths(keys map[string]yamlx.Pair) {
	p := l.p
	list := func(key, def string) []string {
		pair, ok := keys[key]
		if !ok {
			return []string{def}
		}
		out := l.pathList(pair.Value, key)
		if out == nil {
			return []string{def}
		}
		return out
	}
	dbt := p.DBT
	dbt.ModelPaths = list("model-paths", "models")
	dbt.SeedPaths = list("seed-paths", DefaultSeedsPath)
	dbt.TestPaths = list("test-paths", "tests")
	dbt.MacroPaths = list("macro-paths", "macros")
	dbt.SnapshotPaths = list("snapshot-paths", DefaultSnapshotsPath)
	if pair, ok := keys["docs-paths"]; ok {
		dbt.DocsPaths = l.pathList(pair.Value, "docs-paths")
	} else {
		for _, ps := range [][]string{dbt.ModelPaths, dbt.SeedPaths, dbt.TestPaths, dbt.MacroPaths, dbt.SnapshotPaths} {
			for _, x := range ps {
				if !slices.Contains(dbt.DocsPaths, x) {
					dbt.DocsPaths = append(dbt.DocsPaths, x)
				}
			}
		}
	}
	one := func(key, def string) string {
		pair, ok := keys[key]
		if !ok {
			return def
		}
		if ps := l.pathList(pair.Value, key); len(ps) == 1 {
			return ps[0]
		} else if len(ps) > 1 {
			l.d.TypeError(l.d.Resolve(pair.Value), key, "one folder")
		}
		return def
	}
	dbt.PackagesPath = one("packages-install-path", "dbt_packages")
	p.Paths = Paths{Models: dbt.ModelPaths[0], Macros: dbt.MacroPaths[0], Tests: dbt.TestPaths[0],
		Migrations: DefaultPaths().Migrations, Target: one("target-path", DefaultPaths().Target)}
	if p.Paths.Target == "." {
		l.d.Reportf(l.d.Resolve(keys["target-path"].Value), "target-path", "the artifacts folder cannot be the project root")
	}
}

// pathList decodes a folder or a list of folders, each a relative path
// inside the project (cleaned). It returns nil when n holds none.
func (l *dbtLoader) pathList(n *yaml.Node, field string) []string {
	d := l.d
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for i, item := range items {
		at := field
		if n.Kind == yaml.SequenceNode {
			at = yamlx.Elem(field, i)
		}
		item = d.Resolve(item)
		if item == nil {
			continue
		}
		if item.Kind != yaml.ScalarNode || yamlx.IsNull(item) || strings.TrimSpace(item.Value) == "" {
			d.TypeError(item, at, "a folder name")
			continue
		}
		clean := path.Clean(strings.ReplaceAll(item.Value, `\`, "/"))
		if !fs.ValidPath(clean) {
			d.Reportf(item, at, "%q must be a relative path inside the project", item.Value)
			continue
		}
		if !slices.Contains(out, clean) {
			out = append(out, clean)
		}
	}
	return out
}

// findPackages lists the packages installed under PackagesPath.
func (l *dbtLoader) findPackages() {
	dbt := l.p.DBT
	entries, err := fs.ReadDir(l.fsys, dbt.PackagesPath)
	if err != nil {
		return // no packages installed
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := path.Join(dbt.PackagesPath, e.Name())
		file := path.Join(dir, DBTProjectFile)
		data, err := fs.ReadFile(l.fsys, file)
		if err != nil {
			continue // not a package
		}
		pkg := Package{Name: e.Name(), Dir: dir, MacroPaths: []string{path.Join(dir, "macros")}}
		root, diags := yamlx.Parse(file, data)
		for _, dg := range diags {
			l.warnings = append(l.warnings, yamlx.Diagnostic{Path: dg.Path, Line: dg.Line, Col: dg.Col, Msg: dg.Msg + " (package skipped)"})
		}
		if diags != nil {
			continue
		}
		pd := yamlx.NewDecoder(file)
		pl := &dbtLoader{d: pd, fsys: l.fsys, env: l.env}
		for _, pair := range pd.Pairs(root, "") {
			switch pair.Key.Value {
			case "name":
				if v := pd.Resolve(pair.Value); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
					pkg.Name = v.Value
				}
			case "macro-paths":
				if ps := pl.pathList(pair.Value, "macro-paths"); ps != nil {
					pkg.MacroPaths = pkg.MacroPaths[:0]
					for _, x := range ps {
						pkg.MacroPaths = append(pkg.MacroPaths, path.Join(dir, x))
					}
				}
			}
		}
		for _, dg := range pd.Diagnostics() {
			l.warnings = append(l.warnings, dg)
		}
		dbt.Packages = append(dbt.Packages, pkg)
	}
	slices.SortFunc(dbt.Packages, func(a, b Package) int { return strings.Compare(a.Name, b.Name) })
}

// isPackage reports whether name is an installed package.
func (l *dbtLoader) isPackage(name string) bool {
	return slices.ContainsFunc(l.p.DBT.Packages, func(p Package) bool { return p.Name == name })
}

// vars flattens dbt's vars: global keys, and the keys under the project's
// own name (which win); keys under an installed package's name are that
// package's and are dropped.
func (l *dbtLoader) vars(n *yaml.Node) {
	d, p := l.d, l.p
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, "vars", "a mapping of variables")
		return
	}
	var scoped map[string]any
	for _, pair := range d.Pairs(n, "vars") {
		key := pair.Key.Value
		v := d.Any(pair.Value, yamlx.Field("vars", key))
		m, isMap := v.(map[string]any)
		switch {
		case key == p.Name && isMap:
			scoped = m
		case l.isPackage(key) && isMap:
			// a package's own variables
		default:
			p.Vars[key] = v
		}
	}
	for k, v := range scoped {
		p.Vars[k] = v
	}
}

// dispatch reads `dispatch: [{macro_namespace: x, search_order: [a, b]}]`.
func (l *dbtLoader) dispatch(n *yaml.Node) {
	type entry struct {
		Namespace   string   `yaml:"macro_namespace" yamlx:"required"`
		SearchOrder []string `yaml:"search_order" yamlx:"required"`
	}
	var entries []entry
	l.d.Decode(n, "dispatch", &entries)
	l.p.DBT.Dispatch = map[string][]string{}
	for _, e := range entries {
		l.p.DBT.Dispatch[e.Namespace] = e.SearchOrder
	}
}

// SeedConfig returns the config dbt_project.yml's `seeds:` tree gives the
// seed file at relPath (slash-separated, relative to its seed folder):
// the tree's levels from the top down to the seed, merged with
// SeedConfig.Merge. It is the zero config for cdw projects. Safe for
// concurrent use.
func (p *Project) SeedConfig(relPath string) SeedConfig {
	var out SeedConfig
	if p.DBT == nil || p.DBT.seeds == nil {
		return out
	}
	node := p.DBT.seeds
	out = out.Merge(node.config)
	clean := path.Clean(strings.TrimPrefix(relPath, "/"))
	if dir := path.Dir(clean); dir != "." {
		for _, part := range strings.Split(dir, "/") {
			node = node.children[part]
			if node == nil || node.leaf {
				return out
			}
			out = out.Merge(node.config)
		}
	}
	name := strings.TrimSuffix(path.Base(clean), path.Ext(clean))
	if leaf := node.children[name]; leaf != nil && leaf.leaf {
		out = out.Merge(leaf.config)
	}
	return out
}

// Merge returns c overlaid with over, the more specific layer: keys set in
// over win, tags append and column_types merge (over's types win). The
// result shares no maps or slices with c or over.
func (c SeedConfig) Merge(over SeedConfig) SeedConfig {
	out := SeedConfig{
		Schema:       pick(over.Schema, c.Schema),
		Tags:         appendUnique(slices.Clone(c.Tags), over.Tags...),
		Enabled:      pickPtr(over.Enabled, c.Enabled),
		Delimiter:    pick(over.Delimiter, c.Delimiter),
		QuoteColumns: pickPtr(over.QuoteColumns, c.QuoteColumns),
		Pos:          c.Pos,
	}
	if !over.Pos.IsZero() {
		out.Pos = over.Pos
	}
	if len(c.ColumnTypes)+len(over.ColumnTypes) > 0 {
		out.ColumnTypes = make(map[string]string, len(c.ColumnTypes)+len(over.ColumnTypes))
		for k, v := range c.ColumnTypes {
			out.ColumnTypes[k] = v
		}
		for k, v := range over.ColumnTypes {
			out.ColumnTypes[k] = v
		}
	}
	return out
}
