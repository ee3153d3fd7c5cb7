// Package project loads a cdw project into nodes and a graph: models from
// SQL files, sources and generic tests from properties YAML, singular tests
// from tests/, macros from macros/. It is pure (input is an fs.FS and a
// target description; no database) and reports every problem it finds as
// "path:line: message", all of them, not just the first.
//
// Loading renders each model once in "parse" mode to discover its refs,
// sources and config() call; compiling (package compile) renders it again
// with real relations.
package project

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/dag"
	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/template"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Node kinds.
const (
	KindModel    = dag.ResourceModel
	KindTest     = dag.ResourceTest
	KindSource   = dag.ResourceSource
	KindSeed     = dag.ResourceSeed
	KindSnapshot = "snapshot"
	// KindUnitTest is a unit test of a model. In the graph it is a test
	// (resource type "test", test_type "unit"), so it is selected with the
	// model it tests and by test_type:unit.
	KindUnitTest = "unit_test"
)

// IsRefable reports whether ref() can name a node of kind: models, seeds
// and snapshots, which share one namespace.
func IsRefable(kind string) bool {
	return kind == KindModel || kind == KindSeed || kind == KindSnapshot
}

// Node is a model, source, seed, snapshot, data test or unit test.
type Node struct {
	ID, Kind, Name string
	// Path is the defining file, slash-separated, relative to the project root.
	Path        string
	Description string
	Tags        []string
	// Config is the model's merged config (folder < properties < config()).
	Config config.ModelConfig
	// Relation is where a model is built or a source is read.
	Relation warehouse.Relation
	// Template renders a model or a singular test.
	Template *template.Template
	// Parents are the IDs of the nodes this one reads (refs, sources, the
	// tested node).
	Parents []string
	// Test describes a data test.
	Test *Test
	// Raw is the file's text as written (models and singular tests).
	Raw string
	// Columns are the columns declared in properties YAML, in order.
	Columns []Column
	// Seed, Snapshot and UnitTest describe nodes of those kinds.
	Seed     *Seed
	Snapshot *Snapshot
	UnitTest *UnitTest
	// Freshness is a source table's freshness check (nil = none).
	Freshness *Freshness

	extraConfig map[string]any // dbt config() keys cdw does not implement
}

// Column is a column declared in properties YAML.
type Column struct {
	Name, Description, DataType string
}

// Test is a data test: generic (from YAML) or singular (a SQL file).
type Test struct {
	// Generic is the generic test name (not_null, ...); "" for singular tests.
	Generic string
	// On is the ID of the tested model or source (generic tests).
	On       string
	Column   string
	Args     map[string]any
	Severity quality.Severity
	Where    string
	// To is the quoted parent relation of a relationships test, resolved at load.
	To string
	// Limit caps the failing rows counted and stored (0 = none).
	Limit int
	// WarnIf and ErrorIf are thresholds on the failing-row count (zero
	// values mean ">0").
	WarnIf, ErrorIf quality.Condition
	// StoreFailures keeps the latest failing rows in a table.
	StoreFailures bool
	// NewRowsOnly tests the rows an incremental run of On selects (its
	// delta) instead of its table; On is an incremental model.
	NewRowsOnly bool
}

// Thresholds are the test's severity and warn_if/error_if.
func (t *Test) Thresholds() quality.Thresholds {
	return quality.Thresholds{Severity: t.Severity, WarnIf: t.WarnIf, ErrorIf: t.ErrorIf}
}

// Project is a loaded project.
type Project struct {
	Config  *config.Project
	Target  config.Target
	Dialect warehouse.Dialect
	Vars    map[string]any
	Env     func(string) (string, bool)
	Engine  *template.Engine
	Nodes   map[string]*Node
	Graph   *dag.Graph
	// Macros are the macro files, path → text.
	Macros map[string]string
	// Warnings are problems that do not stop the project from loading,
	// each "path:line: message" (dbt projects: properties and config
	// cdw does not use).
	Warnings []string

	disabled map[string]bool // names of models disabled by config
	// unparsable: some model's file did not parse (Load stops after the
	// models, before every ref to it is reported as a missing model).
	unparsable bool
	layout     layout
	schemaTpl  *template.Template // calls the project's generate_schema_name
}

// Options for Load.
type Options struct {
	// FS is the project root.
	FS fs.FS
	// Target is the resolved target; its Type and Schema shape relation names.
	Target config.Target
	// Dialect quotes relation names for the target's engine.
	Dialect warehouse.Dialect
	// Vars override project.yml vars (--vars).
	Vars map[string]any
	// Env looks up environment variables for env_var(); nil means none.
	Env func(string) (string, bool)
	// Log receives what templates say with log(msg, info=True), print()
	// and exceptions.warn(); nil discards it. It may be called
	// concurrently.
	Log func(msg string)
	// Extractors become nodes upstream of the source tables they land.
	Extractors []Lander
}

// Load reads the project's files and builds its graph. The error is a
// Problems listing every problem, each as path:line: message.
//
// A dbt project (cfg.DBT set) is read from dbt's folders (every
// *-paths entry), its properties YAML leniently (unused keys become
// Warnings), its seeds typed by dbt's inference, its installed packages'
// macros made callable, and {% docs %} blocks resolved in descriptions;
// a cdw project is read as before. Both get dbt's generate_schema_name
// rule, which a root macro of that name overrides.
func Load(cfg *config.Project, opts Options) (*Project, error) {
	if opts.Dialect == nil || opts.FS == nil {
		return nil, fmt.Errorf("project.Load: FS and Dialect are required")
	}
	p := &Project{
		Config: cfg, Target: opts.Target, Dialect: opts.Dialect, Env: opts.Env,
		Vars:  mergeVars(cfg.Vars, opts.Vars),
		Nodes: map[string]*Node{}, disabled: map[string]bool{},
	}
	lay := layoutOf(cfg)
	p.layout = lay
	var probs Problems
	skipGeneric := genericTestDir(lay.tests)
	macroDirs := lay.macros
	if lay.dbt {
		for _, d := range lay.tests {
			macroDirs = append(macroDirs, path.Join(d, "generic"))
		}
	}
	macros, err := readTrees(opts.FS, macroDirs, ".sql", nil)
	if err != nil {
		return nil, err
	}
	p.Macros = macros
	pkgs, err := packageMacros(opts.FS, cfg)
	if err != nil {
		return nil, err
	}
	docs, err := readDocs(opts.FS, lay.docs)
	if err != nil {
		probs.add(err)
	}
	topts := template.Options{Macros: macros, Packages: pkgs, ProjectName: cfg.Name, Docs: docs,
		TargetExtra: targetExtra(cfg, opts.Target), Log: opts.Log}
	if cfg.DBT != nil {
		topts.Dispatch = cfg.DBT.Dispatch
	}
	p.Engine, err = template.NewEngine(topts)
	if err != nil {
		probs.add(err)
		return nil, probs
	}
	var props *config.Properties
	if lay.dbt {
		var warnings []string
		props, warnings, err = config.LoadDBTProperties(opts.FS, lay.propertyDirs())
		p.Warnings = append(p.Warnings, warnings...)
		legacy, lerr := legacySnapshots(opts.FS, lay.snapshots)
		if lerr != nil {
			return nil, lerr
		}
		p.Warnings = append(p.Warnings, legacy...)
		p.Warnings = append(p.Warnings, unusedMacroWarnings(p.Engine.Macros())...)
	} else {
		props, err = config.LoadProperties(opts.FS, lay.models[0], lay.propertyDirs()[1:]...)
	}
	if err != nil {
		// Without its properties the project would report every source()
		// as unknown; the YAML problems are the ones to fix first.
		probs.add(err)
		return nil, probs
	}
	probs.add(p.addSources(props))
	p.addExtractors(opts.Extractors)
	models, err := readTrees(opts.FS, lay.models, ".sql", nil)
	if err != nil {
		return nil, err
	}
	probs.add(p.addModels(models, props))
	if p.unparsable {
		// A model that does not parse would be reported again at every ref
		// to it as a missing model; its syntax errors are the ones to fix.
		return nil, probs
	}
	probs.add(p.addSeeds(opts.FS, props))
	probs.add(p.addSnapshots(props))
	var skipTests func(string) bool
	if lay.dbt {
		skipTests = skipGeneric
	}
	tests, err := readTrees(opts.FS, lay.tests, ".sql", skipTests)
	if err != nil {
		return nil, err
	}
	probs.add(p.parseModels())
	probs.add(p.checkSnapshotParents())
	probs.add(p.addSingularTests(tests))
	probs.add(p.addGenericTests(props))
	probs.add(p.addUnitTests(opts.FS, props))
	probs.add(p.renderDescriptions())
	if len(probs) > 0 {
		return nil, probs
	}
	g, err := dag.Build(p.dagNodes())
	if err != nil {
		return nil, Problems{err.Error()}
	}
	p.Graph = g
	return p, nil
}

// Model returns the node ref(name) reads: the model, seed or snapshot
// called name (they share one namespace).
func (p *Project) Model(name string) (*Node, bool) {
	id, ok := p.refID(name)
	if !ok {
		return nil, false
	}
	return p.Nodes[id], true
}

// refID is the ID of the live node ref(name) names.
func (p *Project) refID(name string) (string, bool) {
	for _, kind := range []string{KindModel, KindSeed, KindSnapshot} {
		if _, ok := p.Nodes[kind+"."+name]; ok {
			return kind + "." + name, true
		}
	}
	return "", false
}

// SchemaFor returns the schema a model with a custom schema is built in:
// dbt's rule, <target schema>_<custom>, or the target schema when none.
func SchemaFor(targetSchema, custom string) string {
	if custom == "" {
		return targetSchema
	}
	return targetSchema + "_" + custom
}

func mergeVars(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// readTree reads every file under dir with the extension, keyed by its
// slash path relative to the project root. A missing dir is empty. The
// files are listed first, then read on several goroutines.
func readTree(fsys fs.FS, dir, ext string) (map[string]string, error) {
	out := map[string]string{}
	if dir == "" {
		return out, nil
	}
	if _, err := fs.Stat(fsys, dir); err != nil {
		return out, nil
	}
	var paths []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			// Hidden folders and files (editor lock files such as .#a.sql) are not project files.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(p, ext) {
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return out, err
	}
	texts := make([]string, len(paths))
	errs := make([]error, len(paths))
	parallel(len(paths), func(i int) {
		var b []byte
		b, errs[i] = fs.ReadFile(fsys, paths[i])
		texts[i] = string(b)
	})
	for i, p := range paths {
		if errs[i] != nil {
			return out, errs[i]
		}
		out[p] = texts[i]
	}
	return out, nil
}

func sortedPaths(m map[string]string) []string {
	ps := make([]string, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

func baseName(p string) string { return strings.TrimSuffix(path.Base(p), path.Ext(p)) }

// parallel runs fn for i in [0, n) on a few goroutines.
func parallel(n int, fn func(i int)) {
	workers := 4
	if n < workers {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Problems lists what is wrong with a project, one "path:line: message"
// per entry.
type Problems []string

func (ps Problems) Error() string { return strings.Join(ps, "\n") }

func (ps *Problems) add(err error) {
	if err == nil {
		return
	}
	switch e := err.(type) {
	case Problems:
		*ps = append(*ps, e...)
	case template.Errors:
		for _, x := range e {
			*ps = append(*ps, x.Error())
		}
	case yamlx.Diagnostics:
		for _, d := range e {
			*ps = append(*ps, d.Error())
		}
	default:
		*ps = append(*ps, err.Error())
	}
}
