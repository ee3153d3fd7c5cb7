// Package config loads a cdw project's configuration: project.yml (name,
// paths, vars, folder-level model config, connection targets) and the
// properties YAML files under the models folder (dbt's "schema.yml":
// sources, model descriptions, config and data tests).
//
// Every problem in a user's file is reported as a yamlx.Diagnostic,
// "path:line:col: message" with the path relative to the project root, and
// all problems of a load are returned together as one yamlx.Diagnostics
// error. Failures that are not the user's file being wrong (an unreadable
// file) are ordinary wrapped errors.
//
// The package is pure: it reads only the fs.FS it is given, and the
// environment only through LoadOptions.Env.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// ProjectFile is the name of the project file at the project root.
const ProjectFile = "project.yml"

// ErrUnknownTarget is wrapped by (*Project).Target when the requested
// target is not declared (or none is selected).
var ErrUnknownTarget = errors.New("unknown target")

// projectName is the shape of a valid project name.
var projectName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// LoadOptions configures Load.
type LoadOptions struct {
	// Env looks up environment variables for ${VAR} and env_var()
	// references. nil means no variable is set (the CLI passes
	// os.LookupEnv).
	Env func(string) (string, bool)
	// ProfileDirs are the folders searched, in order, for dbt's
	// profiles.yml when the project is a dbt project (dbt_project.yml and
	// no project.yml); cdw projects ignore them. See DBTProject.
	ProfileDirs []ProfileDir
}

// Paths are the project's folders, slash-separated and relative to the
// project root (cleaned; "./models" becomes "models").
type Paths struct {
	Models     string `yaml:"models"`
	Macros     string `yaml:"macros"`
	Tests      string `yaml:"tests"`
	Migrations string `yaml:"migrations"`
	// Target is the artifacts folder (compiled SQL, manifest).
	Target string `yaml:"target"`
}

// DefaultPaths returns the folders used when project.yml sets none.
func DefaultPaths() Paths {
	return Paths{Models: "models", Macros: "macros", Tests: "tests", Migrations: "migrations", Target: "target"}
}

// Project is a loaded project.yml. Its exported fields are plain data; the
// methods are safe for concurrent use.
type Project struct {
	// Name is the project name, matching [a-z_][a-z0-9_]*.
	Name string
	// Version is the project's free-form version string ("" if unset).
	Version string
	// Paths are the project folders, defaults applied.
	Paths Paths
	// Vars are the project variables (never nil), environment references in
	// their string values expanded; other {{ ... }} text is kept verbatim.
	Vars map[string]any
	// DefaultTarget is the `target:` key ("" if unset). The CLI's --target /
	// CDW_TARGET override it by passing a name to Target.
	DefaultTarget string
	// OnRunStart and OnRunEnd are SQL statements (Jinja) run before the
	// first node and after the last one of every run, test and build.
	OnRunStart, OnRunEnd Hooks
	// DBT is set when the project was loaded from dbt_project.yml (and
	// profiles.yml); nil for a cdw project.
	DBT *DBTProject
	// Warnings are problems that do not stop the project from loading,
	// each "path:line:col: message" (only dbt projects have any: keys
	// cdw does not use are ignored with a warning there).
	Warnings []string

	models      *folderConfig
	extractors  map[string]*yaml.Node
	targets     map[string]*yaml.Node
	targetNames []string
	targetFile  string // the file targets are declared in ("" = project.yml)
	env         func(string) (string, bool)

	environments         map[string]*yaml.Node
	environmentRoutes    []EnvironmentRoute
	environmentsDeclared bool
}

// projectFile is the raw shape of project.yml.
type projectFile struct {
	Name    string         `yaml:"name" yamlx:"required"`
	Version string         `yaml:"version"`
	Paths   Paths          `yaml:"paths"`
	Vars    map[string]any `yaml:"vars"`
	Models  *yaml.Node     `yaml:"models"`
	Target  *yaml.Node     `yaml:"target"`
	Targets *yaml.Node     `yaml:"targets"`
	// Extractors holds each extractor's own settings, decoded by the
	// extractor (see Project.Extractor).
	Extractors *yaml.Node `yaml:"extractors"`
	// Environments is taken out before expansion (see environments.go).
	Environments *yaml.Node `yaml:"environments"`
	OnRunStart   Hooks      `yaml:"on-run-start"`
	OnRunEnd     Hooks      `yaml:"on-run-end"`
}

// dbtProjectHints explain dbt_project.yml keys that cdw spells differently.
var dbtProjectHints = map[string]string{
	"model-paths":    "dbt key; cdw sets the models folder with paths.models",
	"macro-paths":    "dbt key; cdw sets the macros folder with paths.macros",
	"test-paths":     "dbt key; cdw sets the data tests folder with paths.tests",
	"target-path":    "dbt key; cdw sets the artifacts folder with paths.target",
	"profile":        "cdw has no profiles.yml; declare connections under targets: in project.yml",
	"config-version": "not needed by cdw; remove it",
	"seed-paths":     "seeds are not supported by cdw",
	"seeds":          "seeds are not supported by cdw",
	"snapshot-paths": "snapshots are not supported by cdw",
	"snapshots":      "snapshots are not supported by cdw",
}

// Load reads project.yml at the root of fsys and validates it, including
// that folder keys under models: name existing folders of fsys.
//
// Environment references (${VAR}, ${VAR:-default}, {{ env_var('VAR') }},
// {{ env_var('VAR', 'default') }}) in string values are expanded now,
// except inside targets:, whose values are only checked for syntax and
// expanded by Target, so that a variable needed only by an unused target
// cannot break loading. Map keys are never expanded.
//
// Problems in the file are returned together as a yamlx.Diagnostics (and a
// nil Project). A root with dbt_project.yml and no project.yml is loaded as
// a dbt project (see DBTProject). A root with neither is an error wrapping
// fs.ErrNotExist; other read failures are wrapped as well.
func Load(fsys fs.FS, opts LoadOptions) (*Project, error) {
	data, err := fs.ReadFile(fsys, ProjectFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, dbtErr := fs.Stat(fsys, DBTProjectFile); dbtErr == nil {
				return loadDBT(fsys, opts)
			}
			return nil, fmt.Errorf("config: no %s (or %s) at the project root: %w", ProjectFile, DBTProjectFile, err)
		}
		return nil, fmt.Errorf("config: read %s: %w", ProjectFile, err)
	}
	env := opts.Env
	if env == nil {
		env = noEnv
	}
	root, diags := yamlx.Parse(ProjectFile, data)
	if diags != nil {
		return nil, diags.Err()
	}
	if root == nil {
		return nil, yamlx.Diagnostics{{Path: ProjectFile, Msg: "the file is empty; it needs at least a name: key"}}
	}
	d := yamlx.NewDecoder(ProjectFile)
	for k, msg := range dbtProjectHints {
		d.SetHint(k, msg)
	}
	ex := &expander{d: d, env: env, memo: make(map[*yaml.Node]*yaml.Node)}
	root, envNode := withoutKey(root, "environments")
	root = ex.copyProject(root)

	var raw projectFile
	d.Decode(root, "", &raw)
	p := &Project{
		Name:    raw.Name,
		Version: raw.Version,
		Paths:   raw.Paths,
		Vars:    raw.Vars,
		env:     env,

		OnRunStart: raw.OnRunStart,
		OnRunEnd:   raw.OnRunEnd,
	}
	if p.Vars == nil {
		p.Vars = map[string]any{}
	}
	if raw.Name != "" && !projectName.MatchString(raw.Name) {
		d.Reportf(valueNode(d, root, "name"), "name", "%q is not a valid project name; use lowercase letters, digits and underscores, not starting with a digit", raw.Name)
	}
	p.checkPaths(d, root)
	p.models = &folderConfig{}
	if raw.Models != nil {
		fl := &folderLoader{d: d, fsys: fsys, modelsPath: p.Paths.Models, projectName: raw.Name}
		fl.load(raw.Models, "models", "", p.models)
	}
	p.loadTargets(d, raw.Targets)
	p.loadDefaultTarget(d, raw.Target)
	p.loadEnvironments(d, envNode)
	p.loadExtractors(d, raw.Extractors)
	if err := d.Diagnostics().Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// valueNode returns the value node of the first key in the mapping m, for
// positioning a message, or m itself when there is none.
func valueNode(d *yamlx.Decoder, m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if v := d.Resolve(m.Content[i+1]); v != nil {
				return v
			}
		}
	}
	return m
}

// checkPaths applies default folders and checks that each stays inside the
// project.
func (p *Project) checkPaths(d *yamlx.Decoder, root *yaml.Node) {
	def := DefaultPaths()
	fields := []struct {
		key string
		val *string
		def string
	}{
		{"models", &p.Paths.Models, def.Models},
		{"macros", &p.Paths.Macros, def.Macros},
		{"tests", &p.Paths.Tests, def.Tests},
		{"migrations", &p.Paths.Migrations, def.Migrations},
		{"target", &p.Paths.Target, def.Target},
	}
	pathsNode := valueNode(d, root, "paths")
	for _, f := range fields {
		if *f.val == "" {
			*f.val = f.def
			continue
		}
		clean := path.Clean(strings.ReplaceAll(*f.val, `\`, "/"))
		if !fs.ValidPath(clean) {
			n := pathsNode
			if pathsNode != root {
				n = valueNode(d, pathsNode, f.key)
			}
			d.Reportf(n, yamlx.Field("paths", f.key), "%q must be a relative path inside the project", *f.val)
			continue
		}
		*f.val = clean
	}
	if p.Paths.Target == "." {
		d.Reportf(valueNode(d, pathsNode, "target"), "paths.target", "the artifacts folder cannot be the project root")
	}
}

// loadTargets records the raw targets and validates what can be validated
// without expanding environment references.
func (p *Project) loadTargets(d *yamlx.Decoder, n *yaml.Node) {
	p.targets = make(map[string]*yaml.Node)
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.TypeError(n, "targets", "a mapping of target names to targets")
		return
	}
	b := &targetBuilder{d: d, check: true}
	for _, pair := range d.Pairs(n, "targets") {
		name := pair.Key.Value
		val := d.Resolve(pair.Value)
		if val == nil {
			continue
		}
		p.targets[name] = val
		p.targetNames = append(p.targetNames, name)
		b.build(name, val)
	}
	slices.Sort(p.targetNames)
}

// loadDefaultTarget validates `target:` against the declared targets.
func (p *Project) loadDefaultTarget(d *yamlx.Decoder, n *yaml.Node) {
	n = d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.TypeError(n, "target", "a target name")
		return
	}
	p.DefaultTarget = n.Value
	if _, ok := p.targets[n.Value]; !ok {
		d.Report(n, "target", p.unknownTargetMessage(n.Value))
	}
}

// TargetNames returns the declared target names, sorted.
func (p *Project) TargetNames() []string { return slices.Clone(p.targetNames) }

// Target resolves the target called name, expanding its environment
// references now and applying defaults. An empty name selects
// DefaultTarget, or the only target when there is exactly one.
//
// A missing environment variable or an invalid expanded value is a
// yamlx.Diagnostics error at the value's position, e.g.
// `project.yml:14:27: targets.uat.host: environment variable CDW_UAT_HOST
// is not set`. An undeclared name (or no selection) is an error wrapping
// ErrUnknownTarget that lists the declared targets.
func (p *Project) Target(name string) (Target, error) {
	if name == "" {
		name = p.DefaultTarget
		if name == "" && len(p.targetNames) == 1 {
			name = p.targetNames[0]
		}
		if name == "" {
			return Target{}, fmt.Errorf("config: no target selected; set target: in %s or pass --target (%s): %w",
				cmp.Or(p.targetFile, ProjectFile), p.knownTargets(), ErrUnknownTarget)
		}
	}
	n, ok := p.targets[name]
	if !ok {
		return Target{}, fmt.Errorf("config: %s: %w", p.unknownTargetMessage(name), ErrUnknownTarget)
	}
	d := yamlx.NewDecoder(cmp.Or(p.targetFile, ProjectFile))
	b := &targetBuilder{d: d, lookup: p.env}
	t := b.build(name, n)
	if err := d.Diagnostics().Err(); err != nil {
		return Target{}, err
	}
	return t, nil
}

// unknownTargetMessage explains an undeclared target name.
func (p *Project) unknownTargetMessage(name string) string {
	msg := fmt.Sprintf("no target named %q", name)
	if s := yamlx.Suggest(name, p.targetNames); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + " (" + p.knownTargets() + ")"
}

func (p *Project) knownTargets() string {
	if len(p.targetNames) == 0 {
		return "no targets are declared"
	}
	return "targets: " + strings.Join(p.targetNames, ", ")
}
