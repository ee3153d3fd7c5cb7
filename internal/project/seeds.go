package project

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"path"
	"sort"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/seed"
	"github.com/cdw-dev/cdw/internal/warehouse"
	"github.com/cdw-dev/cdw/internal/yamlx"
)

// Seed is a CSV file loaded as a table by `cdw seed`.
type Seed struct {
	// Columns are the file's columns in header order, each with the type
	// it is loaded as (decided by seed.ColumnTypes).
	Columns []seed.Column
	// Delimiter separates fields.
	Delimiter rune
	// Checksum is the SHA-256 of the file, hex; Size its length in bytes.
	Checksum string
	Size     int64
	// Open opens the file (from the project's file system).
	Open func() (io.ReadCloser, error)
}

// addSeeds creates a node per CSV file under the seeds folder, typed by
// its `seeds:` declaration (if any). A declaration without a file, a
// column_types or data_type naming a column the file lacks, two files
// with one name, or a name shared with a model are errors.
func (p *Project) addSeeds(fsys fs.FS, props *config.Properties) error {
	var probs Problems
	declared := map[string]*config.SeedDecl{}
	for i := range props.Seeds {
		declared[props.Seeds[i].Name] = &props.Seeds[i]
	}
	var files []string
	for _, dir := range p.layout.seeds {
		found, err := csvFiles(fsys, dir)
		if err != nil {
			return err
		}
		files = append(files, found...)
	}
	seen := map[string]string{}
	for _, file := range files {
		name := baseName(file)
		if prev, dup := seen[name]; dup {
			probs = append(probs, fmt.Sprintf("%s: seed %q is also defined in %s; seed names must be unique", file, name, prev))
			continue
		}
		seen[name] = file
		d := declared[name]
		delete(declared, name)
		n, err := p.seedNode(fsys, file, name, d)
		if err != nil {
			at := file
			if d != nil {
				at = d.Pos.String()
			}
			probs = append(probs, at+": seed "+name+": "+err.Error())
			// Keep a placeholder so refs to the seed do not add knock-on
			// "no model named" problems; the load fails anyway.
			n = &Node{ID: KindSeed + "." + name, Kind: KindSeed, Name: name, Path: file}
		}
		if n == nil {
			continue // disabled
		}
		if prev, taken := p.refTaken(name); taken {
			probs = append(probs, fmt.Sprintf("%s: seed %q has the name of %s; models, seeds and snapshots share one namespace", file, name, prev))
			continue
		}
		p.Nodes[n.ID] = n
	}
	for _, d := range props.Seeds {
		if declared[d.Name] != nil {
			probs = append(probs, yamlx.Diagnostic{Path: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
				Msg: fmt.Sprintf("seed %q is described here but there is no %s.csv under %s/", d.Name, d.Name, strings.Join(p.layout.seeds, "/, "))}.Error())
		}
	}
	return errOrNil(probs)
}

// refTaken reports whether a model, seed or snapshot already uses name,
// and which file defines it.
func (p *Project) refTaken(name string) (string, bool) {
	if id, ok := p.refID(name); ok {
		return p.Nodes[id].Kind + " " + p.Nodes[id].Path, true
	}
	return "", false
}

func (p *Project) seedNode(fsys fs.FS, file, name string, d *config.SeedDecl) (*Node, error) {
	cfg := p.Config.SeedConfig(relTo(file, p.layout.seeds))
	n := &Node{ID: KindSeed + "." + name, Kind: KindSeed, Name: name, Path: file}
	// Types: the dbt_project.yml seeds: tree's column_types, then the
	// YAML's data_type per column, then the YAML's column_types (which
	// must agree with data_type).
	declared := map[string]string{}
	maps.Copy(declared, cfg.ColumnTypes)
	if d != nil {
		cfg = cfg.Merge(d.Config)
		n.Description, n.Columns = d.Description, columns(d.Columns)
		dataTypes := map[string]string{}
		for _, c := range d.Columns {
			if c.DataType != "" {
				dataTypes[c.Name] = c.DataType
			}
		}
		for col, typ := range d.Config.ColumnTypes {
			if prev, ok := dataTypes[col]; ok && !strings.EqualFold(strings.TrimSpace(prev), strings.TrimSpace(typ)) {
				return nil, fmt.Errorf("column %q has data_type %q and column_types %q; give one type", col, prev, typ)
			}
		}
		maps.Copy(declared, dataTypes)
		maps.Copy(declared, d.Config.ColumnTypes)
	}
	if cfg.Enabled != nil && !*cfg.Enabled {
		p.disabled[name] = true
		return nil, nil
	}
	delim := ','
	if cfg.Delimiter != "" {
		delim = []rune(cfg.Delimiter)[0]
	}
	f, err := fsys.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := &countingHash{h: sha256.New()}
	var cols []seed.Column
	if p.layout.dbt {
		// dbt's rule: the types come from every value of the file.
		header, inferred, err := seed.InferCSV(io.TeeReader(f, h), delim)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(h, f); err != nil {
			return nil, err
		}
		unquoted := cfg.QuoteColumns != nil && !*cfg.QuoteColumns
		cols, err = seed.DBTColumnTypes(header, declared, seed.DBTRule{Inferred: inferred, Engine: p.Target.Type, UnquotedColumns: unquoted})
		if err != nil {
			return nil, err
		}
	} else {
		header, err := seed.ReadHeader(io.TeeReader(f, h), delim)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(h, f); err != nil {
			return nil, err
		}
		if cols, err = seed.ColumnTypes(header, declared); err != nil {
			return nil, err
		}
	}
	n.Config = config.ModelConfig{Materialized: "seed", Schema: cfg.Schema, Tags: cfg.Tags}
	n.Tags = cfg.Tags
	schema, err := p.schemaFor(n, cfg.Schema)
	if err != nil {
		return nil, err
	}
	n.Relation = warehouse.Relation{Schema: schema, Name: name}
	n.Seed = &Seed{Columns: cols, Delimiter: delim, Checksum: hex.EncodeToString(h.h.Sum(nil)), Size: h.n,
		Open: func() (io.ReadCloser, error) { return fsys.Open(file) }}
	return n, nil
}

// csvFiles lists the .csv files under dir (hidden files and folders
// skipped), sorted. A missing dir has none.
func csvFiles(fsys fs.FS, dir string) ([]string, error) {
	var out []string
	if _, err := fs.Stat(fsys, dir); err != nil {
		return nil, nil
	}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.EqualFold(path.Ext(p), ".csv") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// countingHash hashes and counts what is written to it.
type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return c.h.Write(b)
}
