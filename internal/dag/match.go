package dag

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// matches reports whether node n satisfies the method part of a (before
// graph operators).
func (a *atom) matches(n *Node) bool {
	if a.ext != nil {
		return a.ext.Match(*n, a.value)
	}
	switch a.method {
	case methodName:
		return a.match(n.Name)
	case methodTag:
		for _, t := range n.Tags {
			if a.match(t) {
				return true
			}
		}
		return false
	case methodPath:
		return a.matchPath(n.Path)
	case methodResourceType:
		return a.match(n.ResourceType)
	case methodSource:
		if n.ResourceType != ResourceSource {
			return false
		}
		src, _, _ := strings.Cut(n.Name, ".")
		return a.match(n.Name) || a.match(src)
	case methodExtract:
		return n.ResourceType == ResourceExtractor && a.match(n.Name)
	case methodTestType:
		if n.ResourceType != ResourceTest {
			return false
		}
		tt := configString(n.Config["test_type"])
		// "data" is dbt's name for generic and singular tests together.
		return tt == a.value || a.value == "data" && (tt == "generic" || tt == "singular")
	case methodConfig:
		v, ok := lookup(n.Config, a.configKey)
		return ok && a.matchConfig(v)
	}
	return false
}

// match compares s with the value, as a wildcard pattern when it has one.
func (a *atom) match(s string) bool {
	if !a.glob {
		return s == a.value
	}
	ok, _ := path.Match(a.value, s) // pattern validated by parseAtom
	return ok
}

// matchPath matches a file path or any of its parent directories, so
// "models/staging" selects everything under models/staging. The value "."
// matches every node that has a path.
func (a *atom) matchPath(p string) bool {
	if p == "" {
		return false
	}
	p = path.Clean(p)
	if a.value == "." {
		return true
	}
	if !a.glob {
		return p == a.value || strings.HasPrefix(p, a.value+"/")
	}
	for i := 1; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if a.match(p[:i]) {
				return true
			}
		}
	}
	return false
}

// matchConfig compares a config value with the selector value. Lists match
// when any element does; booleans match case-insensitively.
func (a *atom) matchConfig(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if a.matchConfig(e) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range x {
			if a.match(e) {
				return true
			}
		}
		return false
	case bool:
		return strings.EqualFold(a.value, strconv.FormatBool(x))
	case map[string]any, nil:
		return false
	}
	return a.match(configString(v))
}

// lookup walks nested maps along key ("meta.owner" -> cfg["meta"]["owner"]).
func lookup(cfg map[string]any, key []string) (any, bool) {
	var v any = cfg
	for _, k := range key {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func configString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}
