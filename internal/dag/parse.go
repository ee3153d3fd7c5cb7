package dag

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Sentinels wrapped by *SelectorError; test with errors.Is.
var (
	ErrUnknownMethod     = errors.New("unknown selector method")
	ErrMalformedSelector = errors.New("malformed selector")
)

// SelectorError reports a selector that cannot be parsed. Its message has
// the form
//
//	unknown selector method "foo" in "foo:bar"
//	malformed selector: missing value in "tag:"
type SelectorError struct {
	Selector string // the offending atom or term, as written
	Msg      string // what is wrong, without the selector
	Err      error  // ErrUnknownMethod or ErrMalformedSelector
}

func (e *SelectorError) Error() string { return fmt.Sprintf("%s in %q", e.Msg, e.Selector) }

func (e *SelectorError) Unwrap() error { return e.Err }

func malformed(sel, format string, args ...any) error {
	return &SelectorError{Selector: sel, Msg: "malformed selector: " + fmt.Sprintf(format, args...), Err: ErrMalformedSelector}
}

// Selector methods. The bare method ("") matches Node.Name.
const (
	methodName         = ""
	methodTag          = "tag"
	methodPath         = "path"
	methodResourceType = "resource_type"
	methodSource       = "source"
	methodTestType     = "test_type"
	methodConfig       = "config"
	methodExtract      = "extract"
)

// atom is one parsed selector such as "2+tag:nightly+1" or "@readings".
type atom struct {
	raw       string
	method    string   // one of the method constants
	configKey []string // for methodConfig: "config.meta.owner" -> [meta owner]
	value     string
	glob      bool    // value has *, ? or [ and is matched with path.Match
	parents   bool    // "+" or "N+" prefix
	pDepth    int     // -1: unlimited
	children  bool    // "+" or "+N" suffix
	cDepth    int     // -1: unlimited
	at        bool    // "@" prefix
	ext       *Method // a caller-supplied method (SelectOptions.Methods)
}

// term is an intersection of atoms ("a,b").
type term struct {
	raw   string
	atoms []atom
}

// parseExprs splits every argument on whitespace into terms (a union) and
// each term on commas into atoms (an intersection).
func parseExprs(exprs []string, methods map[string]Method) ([]term, error) {
	var terms []term
	for _, e := range exprs {
		for _, raw := range strings.Fields(e) {
			t := term{raw: raw}
			for _, a := range strings.Split(raw, ",") {
				if a == "" {
					return nil, malformed(raw, "empty selector between commas")
				}
				pa, err := parseAtom(a, methods)
				if err != nil {
					return nil, err
				}
				t.atoms = append(t.atoms, pa)
			}
			terms = append(terms, t)
		}
	}
	return terms, nil
}

func parseAtom(raw string, methods map[string]Method) (atom, error) {
	a := atom{raw: raw, pDepth: -1, cDepth: -1}
	s := raw
	if strings.HasPrefix(s, "@") {
		a.at, s = true, s[1:]
	}
	if k := leadingDigits(s); k < len(s) && s[k] == '+' {
		d, err := depth(raw, s[:k])
		if err != nil {
			return a, err
		}
		a.parents, a.pDepth, s = true, d, s[k+1:]
	}
	if a.parents && (a.at || strings.HasPrefix(s, "@")) {
		return a, malformed(raw, `"@" cannot be combined with a "+" prefix`)
	}
	if i := strings.LastIndexByte(s, '+'); i >= 0 && leadingDigits(s[i+1:]) == len(s)-i-1 {
		d, err := depth(raw, s[i+1:])
		if err != nil {
			return a, err
		}
		a.children, a.cDepth, s = true, d, s[:i]
	}
	if strings.ContainsAny(s, "+@") {
		return a, malformed(raw, `misplaced "+" or "@"`)
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && isMethodName(s[:i]) {
		a.method, a.value = s[:i], s[i+1:]
	} else {
		a.value = s
		if strings.Contains(s, "/") {
			a.method = methodPath
		}
	}
	if a.value == "" {
		return a, malformed(raw, "missing value")
	}
	if m, ok := methods[a.method]; ok && a.method != methodName {
		if m.Validate != nil {
			if err := m.Validate(a.value); err != nil {
				return a, &SelectorError{Selector: raw, Msg: err.Error(), Err: ErrMalformedSelector}
			}
		}
		a.ext = &m
		return a, nil
	}
	if err := a.checkMethod(); err != nil {
		return a, err
	}
	a.glob = strings.ContainsAny(a.value, "*?[")
	if a.glob {
		if _, err := path.Match(a.value, ""); err != nil {
			return a, malformed(raw, "bad wildcard pattern %q", a.value)
		}
	}
	return a, nil
}

// checkMethod validates a.method and normalizes the value it takes.
func (a *atom) checkMethod() error {
	switch a.method {
	case methodName, methodTag, methodResourceType, methodSource, methodExtract:
	case methodPath:
		v := strings.TrimPrefix(a.value, "./")
		a.value = path.Clean(v)
	case methodTestType:
		switch a.value {
		case "generic", "singular", "data", "unit":
		default:
			return malformed(a.raw, "test_type must be generic, singular, data or unit, not %q", a.value)
		}
	case methodConfig:
		return malformed(a.raw, "config needs a key, as in config.materialized:table")
	default:
		key, ok := strings.CutPrefix(a.method, methodConfig+".")
		if !ok {
			return &SelectorError{Selector: a.raw, Msg: fmt.Sprintf("unknown selector method %q", a.method), Err: ErrUnknownMethod}
		}
		a.configKey = strings.Split(key, ".")
		for _, k := range a.configKey {
			if k == "" {
				return malformed(a.raw, "empty config key in %q", a.method)
			}
		}
		a.method = methodConfig
	}
	return nil
}

func leadingDigits(s string) int {
	k := 0
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	return k
}

func depth(raw, digits string) (int, error) {
	if digits == "" {
		return -1, nil
	}
	d, err := strconv.Atoi(digits)
	if err != nil {
		return 0, malformed(raw, "bad depth %q", digits)
	}
	return d, nil
}

// isMethodName reports whether s looks like a method: letters, digits, "_"
// and "." only (dbt's [\w.]+).
func isMethodName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
