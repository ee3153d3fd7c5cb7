package config

import (
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cdw-dev/cdw/internal/yamlx"
)

// folderConfig is the `models:` tree of project.yml: the config set at one
// folder and its configured sub-folders.
type folderConfig struct {
	config   ModelConfig
	children map[string]*folderConfig
	// leaf marks the config of one model, keyed by its name (dbt projects
	// may configure a model by name in dbt_project.yml).
	leaf bool
}

// ModelConfig returns the config project.yml gives the model file at
// relPath, a slash-separated path relative to the models folder (e.g.
// "staging/stg_d0010.sql"): the `+key` settings of the models folder, then
// of each sub-folder down to the file's folder, then (dbt projects) of the
// model itself, merged with ModelConfig.Merge (deeper folders override,
// tags append). Folders with no config contribute nothing. It never fails;
// the result may be the zero config. Safe for concurrent use.
func (p *Project) ModelConfig(relPath string) ModelConfig {
	var out ModelConfig
	node := p.models
	if node == nil {
		return out
	}
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

// folderLoader decodes the `models:` tree, checking folder keys against
// the file system.
type folderLoader struct {
	d           *yamlx.Decoder
	fsys        fs.FS
	modelsPath  string
	projectName string
}

// load decodes the mapping n describing the folder dir (relative to the
// models path; "" for the models folder itself) into a folderConfig. The
// project name is accepted as a first-level key standing for the models
// folder (dbt's `models: {my_project: {...}}`), unless a folder has that name.
func (l *folderLoader) load(n *yaml.Node, field, dir string, into *folderConfig) {
	n = l.d.Resolve(n)
	if n == nil || yamlx.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.d.TypeError(n, field, "a mapping of folders and +config keys")
		return
	}
	for _, p := range l.d.Pairs(n, field) {
		key := p.Key.Value
		sub := yamlx.Field(field, key)
		if cfgKey, ok := strings.CutPrefix(key, "+"); ok {
			val := l.d.Resolve(p.Value)
			if val == nil {
				continue
			}
			if msg := into.config.set(cfgKey, l.d.Any(val, sub), l.d.Pos(val)); msg != "" {
				at := val
				if !isConfigKey(cfgKey) {
					at = p.Key
				}
				l.d.Report(at, sub, msg)
			}
			continue
		}
		folder := path.Join(l.modelsPath, dir, key)
		if !l.isDir(dir, key) {
			if dir == "" && key == l.projectName {
				l.load(p.Value, sub, dir, into)
				continue
			}
			l.d.Report(p.Key, sub, l.noFolderMessage(folder, dir, key))
			continue
		}
		if into.children == nil {
			into.children = make(map[string]*folderConfig)
		}
		child := &folderConfig{}
		into.children[key] = child
		l.load(p.Value, sub, path.Join(dir, key), child)
	}
}

// isDir reports whether key names one existing folder inside dir.
func (l *folderLoader) isDir(dir, key string) bool {
	if key == "" || key == "." || key == ".." || strings.ContainsAny(key, `/\`) {
		return false
	}
	info, err := fs.Stat(l.fsys, path.Join(l.modelsPath, dir, key))
	return err == nil && info.IsDir()
}

// noFolderMessage explains a folder key that names no folder, suggesting
// the config key or the folder that was probably meant.
func (l *folderLoader) noFolderMessage(folder, dir, key string) string {
	msg := "no folder " + folder + "; config keys start with '+'"
	if slices.Contains(modelConfigKeys, key) || key == "description" || dbtOnlyConfigKeys[key] {
		return msg + "; did you mean \"+" + key + "\"?"
	}
	if s := yamlx.Suggest(key, modelConfigKeys); s != "" {
		return msg + "; did you mean \"+" + s + "\"?"
	}
	var folders []string
	if entries, err := fs.ReadDir(l.fsys, path.Join(l.modelsPath, dir)); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				folders = append(folders, e.Name())
			}
		}
	}
	if s := yamlx.Suggest(key, folders); s != "" {
		return msg + "; did you mean \"" + s + "\"?"
	}
	return msg
}
