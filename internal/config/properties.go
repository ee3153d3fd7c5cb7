package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/quality"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Properties are the declarations of every properties YAML file under the
// models folder, in file order (files sorted by path) and then declaration
// order.
type Properties struct {
	Sources   []SourceDecl
	Models    []ModelDecl
	Seeds     []SeedDecl
	Snapshots []SnapshotDecl
	UnitTests []UnitTestDecl
}

// SourceDecl is one `sources:` entry: raw tables loaded by something other
// than cdw's models.
type SourceDecl struct {
	Name string
	// Schema defaults to Name.
	Schema      string
	Description string
	// LoadedAtField and Freshness are the defaults of the source's tables
	// ("" and nil when unset); see Freshness.
	LoadedAtField string
	Freshness     *FreshnessDecl
	// EventTime is the default event_time of the source's tables.
	EventTime string
	Tables    []SourceTableDecl
	Pos       yamlx.Pos
}

// SourceTableDecl is a table of a source.
type SourceTableDecl struct {
	Name string
	// Identifier is the table's name in the warehouse; defaults to Name.
	Identifier  string
	Description string
	Columns     []ColumnDecl
	// Tests are the table-level tests (Column ""); column tests are in
	// Columns. AllTests returns both.
	Tests []TestDecl
	// LoadedAtField and Freshness override the source's; FreshnessNull
	// records an explicit `freshness: null`, which switches the check off.
	LoadedAtField string
	Freshness     *FreshnessDecl
	FreshnessNull bool
	// EventTime (config.event_time, the table's or else its source's) is
	// the column placing each row in time: a microbatch model reading the
	// table reads only the rows of its batch.
	EventTime string
	Pos       yamlx.Pos
}

// AllTests returns the table-level tests followed by each column's tests.
func (t SourceTableDecl) AllTests() []TestDecl { return allTests(t.Tests, t.Columns) }

// ModelDecl is one `models:` entry describing a model defined by a SQL
// file (whether that model exists is checked by the caller).
type ModelDecl struct {
	Name        string
	Description string
	// Config is the `config:` layer; it sits between project.yml folder
	// config and the model's config() call.
	Config  ModelConfig
	Columns []ColumnDecl
	// Tests are the model-level tests (Column ""); column tests are in
	// Columns. AllTests returns both.
	Tests []TestDecl
	Pos   yamlx.Pos
}

// AllTests returns the model-level tests followed by each column's tests.
func (m ModelDecl) AllTests() []TestDecl { return allTests(m.Tests, m.Columns) }

func allTests(own []TestDecl, cols []ColumnDecl) []TestDecl {
	out := slices.Clone(own)
	for _, c := range cols {
		out = append(out, c.Tests...)
	}
	return out
}

// ColumnDecl documents a column and holds its tests.
type ColumnDecl struct {
	Name        string
	Description string
	DataType    string
	// Tests are the column's tests, each with Column set to Name.
	Tests []TestDecl
	Pos   yamlx.Pos
}

// Test severities.
const (
	SeverityError = "error"
	SeverityWarn  = "warn"
)

// TestDecl is one data test attached to a model, source table or column.
// Whether Name is a known generic test, and whether Args suit it, is
// checked by the caller.
type TestDecl struct {
	// Name is the generic test's name (e.g. not_null, accepted_values,
	// or a dotted package.test name).
	Name string
	// Column is the tested column, "" for model- or table-level tests.
	Column string
	// Args are the test's arguments (from `arguments:` or, in the older
	// form, the keys beside config). Never nil.
	Args map[string]any
	// Severity is "error" (the default) or "warn".
	Severity string
	// Where filters the tested relation ("" = no filter).
	Where string
	// Limit caps the failing rows counted and stored (0 = no limit).
	Limit int
	// WarnIf and ErrorIf are thresholds on the failing-row count; the zero
	// Condition means ">0".
	WarnIf, ErrorIf quality.Condition
	// StoreFailures keeps the latest failing rows in a table (nil = unset).
	StoreFailures *bool
	// NewRowsOnly tests only the rows an incremental run of the tested
	// model selects (its delta), not the whole table.
	NewRowsOnly bool
	Pos         yamlx.Pos
}

// Model returns the declaration of the model called name.
func (p *Properties) Model(name string) (ModelDecl, bool) {
	for _, m := range p.Models {
		if m.Name == name {
			return m, true
		}
	}
	return ModelDecl{}, false
}

// SourceTable returns the declaration of table in source, and its source.
func (p *Properties) SourceTable(source, table string) (SourceDecl, SourceTableDecl, bool) {
	for _, s := range p.Sources {
		if s.Name != source {
			continue
		}
		for _, t := range s.Tables {
			if t.Name == table {
				return s, t, true
			}
		}
	}
	return SourceDecl{}, SourceTableDecl{}, false
}

// LoadProperties reads every *.yml and *.yaml file under modelsDir (a
// slash-separated path relative to the root of fsys, normally
// Project.Paths.Models) and under each of moreDirs (the seeds and
// snapshots folders), in lexical path order per folder, and validates
// them: the structure and keys of each file, `version: 2` (optional), test
// severities and config, and that no model, seed, snapshot, unit test,
// source table or column is declared twice (even across files; reported
// at the second declaration). Empty files, hidden folders and project.yml
// (when a folder is the project root) are skipped, and a file under two
// of the folders is read once. Missing folders are empty. Files are read
// one at a time and parsed concurrently.
//
// All problems are returned together as a yamlx.Diagnostics with paths
// relative to the root of fsys; read failures are ordinary wrapped errors.
func LoadProperties(fsys fs.FS, modelsDir string, moreDirs ...string) (*Properties, error) {
	props, _, err := loadProperties(fsys, nil, append([]string{modelsDir}, moreDirs...))
	return props, err
}

// propsPrep rewrites the parsed root of one properties file before it is
// decoded, returning the new root and warnings about what it dropped.
type propsPrep func(file string, root *yaml.Node) (*yaml.Node, yamlx.Diagnostics)

// loadProperties is LoadProperties over dirs with an optional prep step
// per file; it also returns prep's warnings in file order.
func loadProperties(fsys fs.FS, prep propsPrep, dirs []string) (*Properties, yamlx.Diagnostics, error) {
	props := &Properties{}
	pl := &propsLoader{
		props:     props,
		models:    make(map[string]yamlx.Pos),
		tables:    make(map[[2]string]yamlx.Pos),
		sources:   make(map[string]SourceDecl),
		seeds:     make(map[string]yamlx.Pos),
		snapshots: make(map[string]yamlx.Pos),
		unitTests: make(map[string]yamlx.Pos),
	}
	type file struct {
		path string
		data []byte
	}
	var files []file
	read := map[string]bool{}
	for _, dir := range dirs {
		dir = path.Clean(dir)
		err := fs.WalkDir(fsys, dir, func(p string, entry fs.DirEntry, err error) error {
			if err != nil {
				if p == dir && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipAll
				}
				return err
			}
			if entry.IsDir() {
				if p != dir && strings.HasPrefix(entry.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			if ext := path.Ext(p); (ext != ".yml" && ext != ".yaml") || p == ProjectFile || read[p] {
				return nil
			}
			read[p] = true
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			files = append(files, file{p, data})
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("config: read properties under %s: %w", dir, err)
		}
	}
	// Parse and decode files in parallel (the bulk of the work), then merge
	// them in path order so that "declared twice" points at the later file.
	parsed := make([]parsedProps, len(files))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			parsed[i] = parseProps(f.path, f.data, prep)
		}()
	}
	wg.Wait()
	var warnings yamlx.Diagnostics
	for _, pf := range parsed {
		pl.merge(pf)
		warnings = append(warnings, pf.warnings...)
	}
	if err := pl.diags.Err(); err != nil {
		return nil, warnings, err
	}
	return props, warnings, nil
}

// propsLoader accumulates declarations across files.
type propsLoader struct {
	props     *Properties
	diags     yamlx.Diagnostics
	models    map[string]yamlx.Pos
	tables    map[[2]string]yamlx.Pos
	sources   map[string]SourceDecl
	seeds     map[string]yamlx.Pos
	snapshots map[string]yamlx.Pos
	unitTests map[string]yamlx.Pos
}

// propsFile is the raw shape of a properties file.
type propsFile struct {
	Version   yaml.Node      `yaml:"version"`
	Sources   []sourceFile   `yaml:"sources"`
	Models    []modelFile    `yaml:"models"`
	Seeds     []seedFile     `yaml:"seeds"`
	Snapshots []snapshotFile `yaml:"snapshots"`
	UnitTests []unitTestFile `yaml:"unit_tests"`
}

type sourceFile struct {
	Name          string         `yaml:"name" yamlx:"required"`
	Schema        string         `yaml:"schema"`
	Description   string         `yaml:"description"`
	LoadedAtField string         `yaml:"loaded_at_field"`
	Freshness     freshnessField `yaml:"freshness"`
	Config        sourceConfig   `yaml:"config"`
	Tables        []tableFile    `yaml:"tables"`
	Pos           yamlx.Pos
}

// sourceConfig is the config: block of a source or source table.
type sourceConfig struct {
	EventTime string `yaml:"event_time"`
}

type tableFile struct {
	Name          string         `yaml:"name" yamlx:"required"`
	Identifier    string         `yaml:"identifier"`
	Description   string         `yaml:"description"`
	LoadedAtField string         `yaml:"loaded_at_field"`
	Freshness     freshnessField `yaml:"freshness"`
	Config        sourceConfig   `yaml:"config"`
	Columns       []columnFile   `yaml:"columns"`
	testKeys      `yaml:",inline"`
	Pos           yamlx.Pos
}

type modelFile struct {
	Name        string        `yaml:"name" yamlx:"required"`
	Description string        `yaml:"description"`
	Config      configMapping `yaml:"config"`
	Columns     []columnFile  `yaml:"columns"`
	testKeys    `yaml:",inline"`
	Pos         yamlx.Pos
}

type columnFile struct {
	Name        string `yaml:"name" yamlx:"required"`
	Description string `yaml:"description"`
	DataType    string `yaml:"data_type"`
	testKeys    `yaml:",inline"`
	Pos         yamlx.Pos
}

// testKeys are the two accepted spellings of a test list.
type testKeys struct {
	DataTests testList `yaml:"data_tests"`
	Tests     testList `yaml:"tests"`
}

// unsupportedPropsKeys are dbt properties sections cdw does not read.
var unsupportedPropsKeys = []string{"exposures", "macros",
	"groups", "semantic_models", "metrics", "saved_queries", "analyses", "data_tests", "functions"}

// parsedProps is one decoded properties file.
type parsedProps struct {
	raw       propsFile
	snapshots []SnapshotDecl // one per raw.Snapshots entry
	unitTests []UnitTestDecl // one per raw.UnitTests entry
	diags     yamlx.Diagnostics
	warnings  yamlx.Diagnostics // from prep
}

// parseProps parses and decodes one properties file; it touches no shared
// state, so files can be parsed concurrently.
func parseProps(file string, data []byte, prep propsPrep) parsedProps {
	root, diags := yamlx.Parse(file, data)
	if root == nil {
		return parsedProps{diags: diags}
	}
	var warnings yamlx.Diagnostics
	if prep != nil {
		root, warnings = prep(file, root)
	}
	d := yamlx.NewDecoder(file)
	for _, k := range unsupportedPropsKeys {
		d.SetHint(k, fmt.Sprintf("dbt %s are not supported by cdw", strings.ReplaceAll(k, "_", " ")))
	}
	var raw propsFile
	d.Decode(root, "", &raw)
	if v := &raw.Version; v.Kind != 0 && !yamlx.IsNull(v) && !(v.Kind == yaml.ScalarNode && v.Value == "2") {
		d.Reportf(v, "version", "only version 2 is supported, got %s", yamlx.Describe(v))
	}
	out := parsedProps{raw: raw, warnings: warnings}
	for i, s := range raw.Snapshots {
		out.snapshots = append(out.snapshots, snapshotDecl(d, yamlx.Elem("snapshots", i), s))
	}
	for i, u := range raw.UnitTests {
		out.unitTests = append(out.unitTests, unitTestDecl(d, yamlx.Elem("unit_tests", i), u))
	}
	out.diags = d.Diagnostics()
	return out
}

// merge adds the declarations of one file, checking them against those of
// the files merged before.
func (pl *propsLoader) merge(pf parsedProps) {
	pl.diags = append(pl.diags, pf.diags...)
	for i, s := range pf.raw.Sources {
		pl.addSource(yamlx.Elem("sources", i), s)
	}
	for i, m := range pf.raw.Models {
		pl.addModel(yamlx.Elem("models", i), m)
	}
	for i, sd := range pf.raw.Seeds {
		pl.addSeed(yamlx.Elem("seeds", i), sd)
	}
	for i, sn := range pf.raw.Snapshots {
		pl.addSnapshot(yamlx.Elem("snapshots", i), sn, pf.snapshots[i])
	}
	for _, u := range pf.unitTests {
		pl.addUnitTest(u)
	}
}

// addUnitTest adds a unit test; names are unique across the project.
func (pl *propsLoader) addUnitTest(u UnitTestDecl) {
	if prev, dup := pl.unitTests[u.Name]; dup && u.Name != "" {
		pl.diags.Addf(u.Pos, "unit test %q is already declared at %s", u.Name, prev)
		return
	}
	pl.unitTests[u.Name] = u.Pos
	pl.props.UnitTests = append(pl.props.UnitTests, u)
}

func (pl *propsLoader) addSource(field string, s sourceFile) {
	decl := SourceDecl{Name: s.Name, Schema: s.Schema, Description: s.Description,
		LoadedAtField: s.LoadedAtField, Freshness: s.Freshness.decl, EventTime: s.Config.EventTime, Pos: s.Pos}
	if decl.Schema == "" {
		decl.Schema = decl.Name
	}
	if prev, ok := pl.sources[decl.Name]; ok && prev.Schema != decl.Schema && decl.Name != "" {
		pl.diags.Addf(s.Pos, "%s: source %q is declared at %s with schema %q; this declaration says %q",
			field, decl.Name, prev.Pos, prev.Schema, decl.Schema)
	} else if !ok {
		pl.sources[decl.Name] = decl
	}
	for i, t := range s.Tables {
		tf := yamlx.Elem(yamlx.Field(field, "tables"), i)
		table := SourceTableDecl{Name: t.Name, Identifier: t.Identifier, Description: t.Description,
			LoadedAtField: t.LoadedAtField, Freshness: t.Freshness.decl, FreshnessNull: t.Freshness.null,
			EventTime: cmp.Or(t.Config.EventTime, s.Config.EventTime), Pos: t.Pos}
		if table.Identifier == "" {
			table.Identifier = table.Name
		}
		key := [2]string{decl.Name, t.Name}
		if prev, dup := pl.tables[key]; dup && t.Name != "" {
			pl.diags.Addf(t.Pos, "%s: table %q of source %q is already declared at %s", tf, t.Name, decl.Name, prev)
			continue
		}
		pl.tables[key] = t.Pos
		table.Columns, table.Tests = pl.columnsAndTests(tf, t.Columns, t.testKeys)
		decl.Tables = append(decl.Tables, table)
	}
	pl.props.Sources = append(pl.props.Sources, decl)
}

func (pl *propsLoader) addModel(field string, m modelFile) {
	if prev, dup := pl.models[m.Name]; dup && m.Name != "" {
		pl.diags.Addf(m.Pos, "%s: model %q is already declared at %s", field, m.Name, prev)
		return
	}
	pl.models[m.Name] = m.Pos
	decl := ModelDecl{Name: m.Name, Description: m.Description, Config: m.Config.config, Pos: m.Pos}
	decl.Columns, decl.Tests = pl.columnsAndTests(field, m.Columns, m.testKeys)
	pl.props.Models = append(pl.props.Models, decl)
}

// columnsAndTests decodes the tests of a model or table and its columns,
// checking that no column is declared twice.
func (pl *propsLoader) columnsAndTests(field string, cols []columnFile, own testKeys) ([]ColumnDecl, []TestDecl) {
	tests := own.list(pl, field, "")
	var columns []ColumnDecl
	seen := make(map[string]yamlx.Pos, len(cols))
	for i, c := range cols {
		cf := yamlx.Elem(yamlx.Field(field, "columns"), i)
		if prev, dup := seen[c.Name]; dup && c.Name != "" {
			pl.diags.Addf(c.Pos, "%s: column %q is already declared at line %d", cf, c.Name, prev.Line)
			continue
		}
		seen[c.Name] = c.Pos
		columns = append(columns, ColumnDecl{Name: c.Name, Description: c.Description, DataType: c.DataType,
			Tests: c.testKeys.list(pl, cf, c.Name), Pos: c.Pos})
	}
	return columns, tests
}

// list returns the tests of either spelling, reporting when both are used.
func (k testKeys) list(pl *propsLoader, field, column string) []TestDecl {
	if k.DataTests.set && k.Tests.set {
		pl.diags.Addf(k.Tests.pos, "%s: use either tests or data_tests, not both", yamlx.Field(field, "tests"))
	}
	all := append(k.DataTests.tests, k.Tests.tests...)
	for i := range all {
		all[i].Column = column
	}
	return all
}
