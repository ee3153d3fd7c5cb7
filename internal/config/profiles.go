package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// ProfilesFile is the name of dbt's connection file.
const ProfilesFile = "profiles.yml"

// ProfileDir is a folder that may hold profiles.yml. The CLI passes them in
// dbt's order: --profiles-dir, $DBT_PROFILES_DIR, the project folder, then
// ~/.dbt.
type ProfileDir struct {
	// Source says where the folder comes from, for messages
	// ("--profiles-dir", "$DBT_PROFILES_DIR", "the project folder", "~/.dbt").
	Source string
	// Path is the folder as shown in messages and diagnostics.
	Path string
	// FS is the folder.
	FS fs.FS
	// Required makes a folder without profiles.yml an error (one the user
	// named explicitly) instead of a reason to look in the next one.
	Required bool
}

// Embedded default target, used when a dbt project has no profile.
const (
	DefaultDBTTarget = "dev"
	defaultDBTSchema = "main"
)

// profileKeys maps the connection keys dbt's postgres, redshift and
// duckdb adapters take to cdw's target keys.
var profileKeys = map[string]map[string]string{
	TypePostgres: {"type": "type", "host": "host", "port": "port", "user": "user", "username": "user",
		"password": "password", "pass": "password", "dbname": "dbname", "database": "dbname",
		"schema": "schema", "threads": "threads", "sslmode": "sslmode"},
	TypeDuckDB: {"type": "type", "path": "path", "schema": "schema", "threads": "threads"},
}

// loadProfile fills the project's targets from the profile it names, read
// from the first of dirs that holds a profiles.yml; without one (or
// without that profile in it) the single target is an embedded DuckDB
// database and DBT.Notice says so.
func (l *dbtLoader) loadProfile(dirs []ProfileDir) error {
	p := l.p
	name := p.DBT.Profile
	var looked []string
	for _, dir := range dirs {
		data, err := fs.ReadFile(dir.FS, ProfilesFile)
		if errors.Is(err, fs.ErrNotExist) {
			if dir.Required {
				return fmt.Errorf("config: no %s in %s (%s)", ProfilesFile, dir.Path, dir.Source)
			}
			looked = append(looked, dir.Path+" ("+dir.Source+")")
			continue
		}
		if err != nil {
			return fmt.Errorf("config: read %s in %s: %w", ProfilesFile, dir.Path, err)
		}
		file := path.Join(dir.Path, ProfilesFile)
		found, err := l.readProfiles(file, data, name)
		if err != nil {
			return err
		}
		if found {
			p.DBT.ProfileFile = file
			return nil
		}
		l.defaultTarget(fmt.Sprintf("%s has no profile %q", file, name))
		return nil
	}
	why := "no " + ProfilesFile + " found"
	if len(looked) > 0 {
		why += " (looked in " + strings.Join(looked, ", ") + ")"
	}
	l.defaultTarget(why)
	return nil
}

// defaultTarget makes the embedded DuckDB database the only target.
func (l *dbtLoader) defaultTarget(why string) {
	p := l.p
	dbPath := ".cdw/" + p.Name + ".duckdb"
	scalar := func(v, tag string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		scalar("type", "!!str"), scalar(TypeDuckDB, "!!str"),
		scalar("path", "!!str"), scalar(dbPath, "!!str"),
		scalar("schema", "!!str"), scalar(defaultDBTSchema, "!!str"),
	}}
	p.targets = map[string]*yaml.Node{DefaultDBTTarget: n}
	p.targetNames = []string{DefaultDBTTarget}
	p.DefaultTarget = DefaultDBTTarget
	p.targetFile = "(embedded default target)"
	p.DBT.Notice = fmt.Sprintf("%s for profile %q; using an embedded DuckDB database at %s (target %s, schema %s)",
		why, p.DBT.Profile, dbPath, DefaultDBTTarget, defaultDBTSchema)
}

// readProfiles reads the profile called name from a profiles.yml. It
// reports whether the file has that profile.
func (l *dbtLoader) readProfiles(file string, data []byte, name string) (bool, error) {
	root, diags := yamlx.Parse(file, data)
	if diags != nil {
		return false, diags.Err()
	}
	d := yamlx.NewDecoder(file)
	if root == nil {
		return false, nil
	}
	if root.Kind != yaml.MappingNode {
		d.TypeError(root, "", "a mapping of profile names to profiles")
		return false, d.Diagnostics().Err()
	}
	var profile *yaml.Node
	for _, pair := range d.Pairs(root, "") {
		if pair.Key.Value == name {
			profile = d.Resolve(pair.Value)
		}
	}
	if profile == nil {
		return false, d.Diagnostics().Err()
	}
	if profile.Kind != yaml.MappingNode {
		d.TypeError(profile, name, "a mapping with target: and outputs:")
		return false, d.Diagnostics().Err()
	}
	p := l.p
	p.targets = map[string]*yaml.Node{}
	p.targetFile = file
	var targetNode *yaml.Node
	for _, pair := range d.Pairs(profile, name) {
		sub := yamlx.Field(name, pair.Key.Value)
		switch pair.Key.Value {
		case "target":
			targetNode = d.Resolve(pair.Value)
		case "outputs":
			outs := d.Resolve(pair.Value)
			if outs == nil || outs.Kind != yaml.MappingNode {
				if outs != nil {
					d.TypeError(outs, sub, "a mapping of target names to connections")
				}
				continue
			}
			for _, o := range d.Pairs(outs, sub) {
				p.targets[o.Key.Value] = l.translateOutput(d, d.Resolve(o.Value), yamlx.Field(sub, o.Key.Value))
				p.targetNames = append(p.targetNames, o.Key.Value)
			}
		default:
			l.warn(file, pair.Key, sub, "not used by cdw; ignored")
		}
	}
	slices.Sort(p.targetNames)
	switch {
	case len(p.targets) == 0:
		d.Reportf(profile, name, "profile %q has no outputs", name)
	case targetNode != nil && !yamlx.IsNull(targetNode):
		if targetNode.Kind != yaml.ScalarNode {
			d.TypeError(targetNode, yamlx.Field(name, "target"), "a target name")
			break
		}
		text, problems := expandEnv(targetNode.Value, l.env, false)
		for _, pr := range problems {
			d.Report(targetNode, yamlx.Field(name, "target"), pr)
		}
		p.DefaultTarget = text
		if _, ok := p.targets[text]; !ok && len(problems) == 0 {
			d.Report(targetNode, yamlx.Field(name, "target"), p.unknownTargetMessage(text))
		}
	case len(p.targetNames) == 1:
		p.DefaultTarget = p.targetNames[0]
	}
	return true, d.Diagnostics().Err()
}

// translateOutput turns one dbt output into the mapping a project.yml
// target would be, renaming dbt's keys (dbname/database, pass, username)
// and dropping, with a warning, the ones cdw does not use. Values are kept
// as written, so env_var() is expanded (and checked) only when the target
// is used. threads defaults to 1, as in dbt.
func (l *dbtLoader) translateOutput(d *yamlx.Decoder, n *yaml.Node, field string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n // Target reports it
	}
	pairs := d.Pairs(n, field)
	typ := ""
	for _, pair := range pairs {
		if v := d.Resolve(pair.Value); pair.Key.Value == "type" && v != nil && v.Kind == yaml.ScalarNode {
			typ = v.Value
		}
	}
	keys, supported := profileKeys[typ]
	if typ == TypeRedshift {
		keys, supported = profileKeys[TypePostgres], true
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	set := map[string]string{}
	for _, pair := range pairs {
		k := pair.Key.Value
		sub := yamlx.Field(field, k)
		if !supported {
			out.Content = append(out.Content, pair.Key, pair.Value)
			continue // the type itself is reported when the target is used
		}
		v := d.Resolve(pair.Value)
		to, ok := keys[k]
		switch {
		case typ == TypeRedshift && k == "method":
			if v != nil && v.Kind == yaml.ScalarNode && v.Value != "database" {
				l.warn(d.File(), pair.Key, sub, fmt.Sprintf("method %s is not supported by cdw (it connects with host, user and password); ignored", v.Value))
			}
			continue
		case typ == TypeDuckDB && k == "path" && v != nil && (v.Value == ":memory:" || v.Value == ""):
			continue // in-memory, cdw's empty path
		case !ok:
			l.warn(d.File(), pair.Key, sub, fmt.Sprintf("not used by cdw's %s targets; ignored", typ))
			continue
		}
		if prev, dup := set[to]; dup {
			l.warn(d.File(), pair.Key, sub, fmt.Sprintf("%s is already set by %s; ignored", to, prev))
			continue
		}
		set[to] = k
		key := *pair.Key
		key.Value = to
		out.Content = append(out.Content, &key, pair.Value)
	}
	if _, ok := set["threads"]; supported && !ok {
		out.Content = append(out.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "threads", Line: n.Line, Column: n.Column},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1", Line: n.Line, Column: n.Column})
	}
	return out
}
