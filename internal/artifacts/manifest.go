// Package artifacts writes and reads the files a run leaves in the target
// folder — manifest.json, run_results.json and the compiled SQL of each
// node — in shapes close to dbt's, so tools that read dbt artifacts can
// read cdw's, and so later runs can compare against them (state:modified,
// --defer, retry, result:).
package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/project"
)

// File names in the target folder.
const (
	ManifestFile   = "manifest.json"
	RunResultsFile = "run_results.json"
)

// Schema versions written in metadata: the dbt artifact schemas the files
// follow (a subset of their fields, plus cdw's own under "cdw").
const (
	ManifestSchema   = "https://schemas.getdbt.com/dbt/manifest/v12.json"
	RunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v6.json"
)

// Metadata heads every artifact.
type Metadata struct {
	SchemaVersion string `json:"dbt_schema_version"`
	CDWVersion    string `json:"cdw_version"`
	GeneratedAt   string `json:"generated_at"`
	InvocationID  string `json:"invocation_id"`
	ProjectName   string `json:"project_name,omitempty"`
	AdapterType   string `json:"adapter_type,omitempty"`
	TargetName    string `json:"target_name,omitempty"`
}

// Manifest is target/manifest.json.
type Manifest struct {
	Metadata Metadata          `json:"metadata"`
	Nodes    map[string]*Node  `json:"nodes"`
	Sources  map[string]*Node  `json:"sources"`
	Macros   map[string]*Macro `json:"macros"`
	// UnitTests are the unit tests (dbt 1.8's top-level unit_tests).
	UnitTests map[string]*Node    `json:"unit_tests"`
	ParentMap map[string][]string `json:"parent_map"`
	ChildMap  map[string][]string `json:"child_map"`
}

// Node is a model, test or source in the manifest.
type Node struct {
	UniqueID         string            `json:"unique_id"`
	ResourceType     string            `json:"resource_type"`
	Name             string            `json:"name"`
	PackageName      string            `json:"package_name"`
	Path             string            `json:"path"`
	OriginalFilePath string            `json:"original_file_path"`
	FQN              []string          `json:"fqn"`
	Schema           string            `json:"schema,omitempty"`
	Alias            string            `json:"alias,omitempty"`
	RelationName     string            `json:"relation_name,omitempty"`
	Language         string            `json:"language,omitempty"`
	RawCode          string            `json:"raw_code,omitempty"`
	Description      string            `json:"description"`
	Config           map[string]any    `json:"config"`
	Tags             []string          `json:"tags"`
	Columns          map[string]Column `json:"columns"`
	DependsOn        DependsOn         `json:"depends_on"`
	Checksum         Checksum          `json:"checksum"`
	TestMetadata     *TestMetadata     `json:"test_metadata,omitempty"`
	// CDW holds what dbt's shape has no place for.
	CDW NodeExtra `json:"cdw"`
}

// NodeExtra is cdw's own part of a node.
type NodeExtra struct {
	// ID is cdw's node id (e.g. "model.readings").
	ID string `json:"id"`
	// RelationSchema and RelationName locate the built relation unquoted.
	RelationSchema string `json:"relation_schema,omitempty"`
	RelationTable  string `json:"relation_table,omitempty"`
}

// Column is a declared column.
type Column struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	DataType    string `json:"data_type,omitempty"`
}

// DependsOn lists a node's parents and the macros its code calls.
type DependsOn struct {
	Nodes  []string `json:"nodes"`
	Macros []string `json:"macros"`
}

// Checksum fingerprints a node's definition.
type Checksum struct {
	Name     string `json:"name"`
	Checksum string `json:"checksum"`
}

// TestMetadata describes a generic test.
type TestMetadata struct {
	Name   string         `json:"name"`
	Kwargs map[string]any `json:"kwargs"`
}

// Macro is a macro definition.
type Macro struct {
	UniqueID         string   `json:"unique_id"`
	Name             string   `json:"name"`
	OriginalFilePath string   `json:"original_file_path"`
	Checksum         Checksum `json:"checksum"`
	DependsOn        struct {
		Macros []string `json:"macros"`
	} `json:"depends_on"`
}

// UniqueID is dbt's unique_id for a cdw node: model.<project>.<name>,
// test.<project>.<name>, source.<project>.<source>.<table>.
func UniqueID(projectName string, n *project.Node) string {
	return n.Kind + "." + projectName + "." + n.Name
}

func sum(parts ...string) Checksum {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return Checksum{Name: "sha256", Checksum: hex.EncodeToString(h.Sum(nil))}
}

var macroDef = regexp.MustCompile(`\{%-?\s*macro\s+(\w+)\s*\(`)

// BuildManifest describes a loaded project.
func BuildManifest(p *project.Project, meta Metadata) *Manifest {
	meta.SchemaVersion = ManifestSchema
	m := &Manifest{
		Metadata: meta, Nodes: map[string]*Node{}, Sources: map[string]*Node{},
		Macros: map[string]*Macro{}, ParentMap: map[string][]string{}, ChildMap: map[string][]string{},
		UnitTests: map[string]*Node{},
	}
	// Macros: name → definition file, text of that file, and which macros each calls.
	macroFile := map[string]string{}
	for _, file := range sortedKeys(p.Macros) {
		for _, match := range macroDef.FindAllStringSubmatch(p.Macros[file], -1) {
			macroFile[match[1]] = file
		}
	}
	calls := newCallFinder(p.Config.Name, sortedKeys(macroFile))
	for _, name := range calls.names {
		file := macroFile[name]
		mac := &Macro{UniqueID: calls.id(name), Name: name, OriginalFilePath: file, Checksum: sum(p.Macros[file])}
		mac.DependsOn.Macros = calls.find(p.Macros[file], name)
		m.Macros[mac.UniqueID] = mac
	}
	ids := make([]string, 0, len(p.Nodes))
	for id := range p.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	uid := map[string]string{}
	for _, id := range ids {
		if p.Nodes[id].Kind != project.KindExtractor {
			uid[id] = UniqueID(p.Config.Name, p.Nodes[id])
		}
	}
	for _, id := range ids {
		n := p.Nodes[id]
		if n.Kind == project.KindExtractor {
			continue // dbt's manifest has no such resource; tools reading it would stumble
		}
		out := node(p, n, uid)
		out.DependsOn.Macros = calls.find(n.Raw, "")
		switch n.Kind {
		case project.KindSource:
			m.Sources[out.UniqueID] = out
		case project.KindUnitTest:
			m.UnitTests[out.UniqueID] = out
		default:
			m.Nodes[out.UniqueID] = out
		}
		m.ParentMap[out.UniqueID] = out.DependsOn.Nodes
		children := []string{}
		for _, c := range p.Graph.Children(id) {
			children = append(children, uid[c])
		}
		m.ChildMap[out.UniqueID] = children
	}
	return m
}

func node(p *project.Project, n *project.Node, uid map[string]string) *Node {
	out := &Node{
		UniqueID: uid[n.ID], ResourceType: n.Kind, Name: n.Name, PackageName: p.Config.Name,
		OriginalFilePath: n.Path, Description: n.Description, Tags: nonNil(n.Tags),
		Config: map[string]any{}, Columns: map[string]Column{}, CDW: NodeExtra{ID: n.ID},
	}
	out.Path = n.Path
	for _, dir := range []string{p.Config.Paths.Models, p.Config.Paths.Tests, config.DefaultSeedsPath, config.DefaultSnapshotsPath} {
		if strings.HasPrefix(out.Path, dir+"/") {
			out.Path = strings.TrimPrefix(out.Path, dir+"/")
			break
		}
	}
	out.FQN = append([]string{p.Config.Name}, strings.Split(strings.TrimSuffix(out.Path, path.Ext(out.Path)), "/")...)
	for _, c := range n.Columns {
		out.Columns[c.Name] = Column(c)
	}
	for _, parent := range p.Graph.Parents(n.ID) {
		if uid[parent] == "" {
			continue // an extractor: not a dbt resource
		}
		out.DependsOn.Nodes = append(out.DependsOn.Nodes, uid[parent])
	}
	out.DependsOn.Nodes = nonNil(out.DependsOn.Nodes)
	if n.Kind != project.KindTest && n.Kind != project.KindUnitTest {
		out.Schema, out.Alias = n.Relation.Schema, n.Relation.Name
		out.RelationName = p.Dialect.QuoteRelation(n.Relation)
		out.CDW.RelationSchema, out.CDW.RelationTable = n.Relation.Schema, n.Relation.Name
	}
	switch n.Kind {
	case project.KindModel:
		out.Language, out.RawCode = "sql", n.Raw
		c := n.Config
		// Every key set, so state:modified notices a change of any of them;
		// then the effective values dbt's readers expect.
		for k, v := range c.Values() {
			out.Config[k] = v
		}
		out.Config["materialized"] = c.EffectiveMaterialized()
		out.Config["enabled"] = true
		out.Config["tags"] = nonNil(c.Tags)
		if c.EffectiveMaterialized() == "incremental" {
			out.Config["incremental_strategy"] = c.EffectiveIncrementalStrategy()
		}
		out.Checksum = sum(n.Raw)
	case project.KindTest:
		out.Config["severity"] = string(n.Test.Severity)
		out.Config["enabled"] = true
		if n.Test.Generic != "" {
			kw := map[string]any{"column_name": n.Test.Column}
			for k, v := range n.Test.Args {
				kw[k] = v
			}
			if n.Test.Where != "" {
				out.Config["where"] = n.Test.Where
			}
			out.TestMetadata = &TestMetadata{Name: n.Test.Generic, Kwargs: kw}
			spec, _ := json.Marshal(out.TestMetadata)
			out.Checksum = sum(string(spec), n.Test.Where)
		} else {
			out.Language, out.RawCode = "sql", n.Raw
			out.Checksum = sum(n.Raw)
		}
	case project.KindSource:
		out.Checksum = sum(n.Relation.Schema, n.Relation.Name)
		if f := n.Freshness; f != nil {
			out.Config["loaded_at_field"] = f.LoadedAtField
			out.Config["freshness"] = freshnessConfig(f.Decl)
		}
	case project.KindSeed:
		seedNode(out, n)
	case project.KindSnapshot:
		snapshotNode(out, n)
	case project.KindUnitTest:
		unitTestNode(out, n)
	}
	if n.Kind == project.KindTest {
		testConfig(out, n.Test)
	}
	return out
}

// callFinder finds which macros a piece of Jinja calls, by name.
type callFinder struct {
	project string
	names   []string
	res     []*regexp.Regexp
}

func newCallFinder(project string, names []string) *callFinder {
	f := &callFinder{project: project, names: names}
	for _, n := range names {
		f.res = append(f.res, regexp.MustCompile(`\b`+regexp.QuoteMeta(n)+`\s*\(`))
	}
	return f
}

func (f *callFinder) id(name string) string { return "macro." + f.project + "." + name }

// find lists the unique ids of the macros code calls (sorted), except self.
func (f *callFinder) find(code, self string) []string {
	out := []string{}
	for i, name := range f.names {
		if name != self && strings.Contains(code, name) && f.res[i].MatchString(code) {
			out = append(out, f.id(name))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeJSON writes v to dir/name atomically (temp file + rename), so a
// reader never sees a half-written artifact.
func writeJSON(dir, name string, v any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// WriteManifest writes dir/manifest.json.
func WriteManifest(dir string, m *Manifest) error { return writeJSON(dir, ManifestFile, m) }

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	var m Manifest
	if err := readJSON(filepath.Join(dir, ManifestFile), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func readJSON(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// Now formats a time as artifacts do.
func Now(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
