package project

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
)

// layout is where a project's files are: one folder per kind for a cdw
// project, dbt's *-paths lists for a dbt project.
type layout struct {
	models, seeds, snapshots, tests, macros, docs []string
	dbt                                           bool
}

func layoutOf(cfg *config.Project) layout {
	if d := cfg.DBT; d != nil {
		return layout{models: d.ModelPaths, seeds: d.SeedPaths, snapshots: d.SnapshotPaths, tests: d.TestPaths,
			macros: d.MacroPaths, docs: d.DocsPaths, dbt: true}
	}
	return layout{models: []string{cfg.Paths.Models}, seeds: []string{config.DefaultSeedsPath},
		snapshots: []string{config.DefaultSnapshotsPath}, tests: []string{cfg.Paths.Tests},
		macros: []string{cfg.Paths.Macros}, docs: []string{cfg.Paths.Models}}
}

// propertyDirs are the folders properties YAML is read from.
func (l layout) propertyDirs() []string {
	var out []string
	for _, ds := range [][]string{l.models, l.seeds, l.snapshots} {
		out = append(out, ds...)
	}
	return out
}

// readTrees reads the files with ext under each of dirs (see readTree);
// a file under two of them is read once. skip, when set, leaves out the
// files it reports true for.
func readTrees(fsys fs.FS, dirs []string, ext string, skip func(string) bool) (map[string]string, error) {
	out := map[string]string{}
	for _, dir := range dirs {
		m, err := readTree(fsys, dir, ext)
		if err != nil {
			return nil, err
		}
		for p, src := range m {
			if skip == nil || !skip(p) {
				out[p] = src
			}
		}
	}
	return out, nil
}

// relTo returns p relative to the first of roots that contains it.
func relTo(p string, roots []string) string {
	for _, r := range roots {
		if rel, ok := strings.CutPrefix(p, r+"/"); ok {
			return rel
		}
	}
	return p
}

// genericTestDir reports whether p is under a test folder's generic/
// sub-folder, where dbt keeps {% test %} definitions rather than singular
// tests.
func genericTestDir(testDirs []string) func(string) bool {
	return func(p string) bool {
		for _, d := range testDirs {
			if strings.HasPrefix(p, path.Join(d, "generic")+"/") {
				return true
			}
		}
		return false
	}
}

// docsBlock matches {% docs name %} ... {% enddocs %}.
var docsBlock = regexp.MustCompile(`(?s)\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}`)

// readDocs collects the {% docs %} blocks of the .md files under dirs, by
// name, their text trimmed (as dbt trims it). A name defined twice is an
// error naming both files.
func readDocs(fsys fs.FS, dirs []string) (map[string]string, error) {
	files, err := readTrees(fsys, dirs, ".md", nil)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	where := map[string]string{}
	var probs Problems
	for _, p := range sortedPaths(files) {
		for _, m := range docsBlock.FindAllStringSubmatch(files[p], -1) {
			name := m[1]
			if prev, dup := where[name]; dup {
				probs = append(probs, fmt.Sprintf("%s: docs block %q is also defined in %s", p, name, prev))
				continue
			}
			where[name] = p
			docs[name] = strings.TrimSpace(m[2])
		}
	}
	return docs, errOrNil(probs)
}

// packageMacros reads the macro files of the dbt project's installed
// packages, by package name.
func packageMacros(fsys fs.FS, cfg *config.Project) (map[string]map[string]string, error) {
	if cfg.DBT == nil || len(cfg.DBT.Packages) == 0 {
		return nil, nil
	}
	out := map[string]map[string]string{}
	for _, pkg := range cfg.DBT.Packages {
		files, err := readTrees(fsys, pkg.MacroPaths, ".sql", nil)
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", pkg.Name, err)
		}
		out[pkg.Name] = files
	}
	return out, nil
}

// targetExtra are the `target` fields beyond name, type, schema and
// threads: dbt's database, user, host, port, dbname, path and
// profile_name.
func targetExtra(cfg *config.Project, t config.Target) map[string]any {
	db := t.DBName
	if t.Type == config.TypeDuckDB {
		db = strings.TrimSuffix(path.Base(t.Path), path.Ext(t.Path))
		if t.Path == "" {
			db = "memory"
		}
	}
	extra := map[string]any{"database": db, "dbname": t.DBName, "user": t.User, "host": t.Host, "port": t.Port, "path": t.Path}
	if cfg.DBT != nil {
		extra["profile_name"] = cfg.DBT.Profile
	}
	return extra
}

var snapshotBlock = regexp.MustCompile(`\{%-?\s*snapshot\s`)

// legacySnapshots warns about dbt's {% snapshot %} SQL files, which cdw
// does not read (it reads snapshots declared in YAML).
func legacySnapshots(fsys fs.FS, dirs []string) ([]string, error) {
	files, err := readTrees(fsys, dirs, ".sql", nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range sortedPaths(files) {
		if snapshotBlock.MatchString(files[p]) {
			out = append(out, p+": {% snapshot %} blocks are not supported by cdw; ignored (declare the snapshot in YAML: snapshots: [{name, relation, config}])")
		}
	}
	return out, nil
}

// unusedMacroWarnings names root macros that change dbt's behaviour but
// that cdw does not call.
func unusedMacroWarnings(names []string) []string {
	var out []string
	for _, n := range names {
		switch n {
		case "generate_alias_name", "generate_database_name":
			out = append(out, fmt.Sprintf("macro %s is not used by cdw (relations are named <schema>.<model name>); ignored", n))
		}
	}
	sort.Strings(out)
	return out
}

// InputFolders are the folders, slash-separated and relative to the
// project root, holding every file Load reads for a cdw project besides
// the YAML files at the root: models, macros, tests, seeds and
// snapshots. ok is false for a dbt project, whose inputs (installed
// packages, profiles outside the project) are not all listed here.
func InputFolders(cfg *config.Project) (folders []string, ok bool) {
	if cfg.DBT != nil {
		return nil, false
	}
	l := layoutOf(cfg)
	for _, ds := range [][]string{l.models, l.macros, l.tests, l.seeds, l.snapshots} {
		for _, d := range ds {
			if d != "" && !slices.Contains(folders, d) {
				folders = append(folders, d)
			}
		}
	}
	return folders, true
}
