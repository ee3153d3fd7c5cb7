// Package yamlx is a small strict decoder on top of gopkg.in/yaml.v3 nodes.
//
// It decodes a parsed yaml.Node into Go values (structs with yaml tags,
// strings, booleans, integers, floats, slices, string-keyed maps, pointers and
// `any`) and, instead of stopping at the first problem, collects every
// problem as a Diagnostic carrying the file path, line and column of the
// offending key or value. Unknown keys come with a "did you mean" suggestion
// for near misses, duplicate keys and missing required keys are reported too.
//
// The package is pure: it never touches the file system or the environment.
package yamlx

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a source file: a path (relative to the project root,
// slash-separated) and a 1-based line and column. A zero Line means the
// position is unknown; a zero Col means only the line is known.
type Pos struct {
	File string
	Line int
	Col  int
}

// String renders the position as "file:line:col", dropping the parts that
// are unknown ("file:line", "file").
func (p Pos) String() string {
	switch {
	case p.Line <= 0:
		return p.File
	case p.Col <= 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// IsZero reports whether p carries no position at all.
func (p Pos) IsZero() bool { return p == Pos{} }

// Diagnostic is one problem in a user's file. Path is relative to the
// project root; Line and Col are 1-based, and 0 when unknown.
type Diagnostic struct {
	Path string
	Line int
	Col  int
	Msg  string
}

// At returns a Diagnostic at pos with the given message.
func At(pos Pos, msg string) Diagnostic {
	return Diagnostic{Path: pos.File, Line: pos.Line, Col: pos.Col, Msg: msg}
}

// Pos returns the position of the diagnostic.
func (d Diagnostic) Pos() Pos { return Pos{File: d.Path, Line: d.Line, Col: d.Col} }

// String renders the diagnostic as "path:line:col: message"; unknown parts
// of the position are omitted ("path:line: message", "path: message").
func (d Diagnostic) String() string { return d.Pos().String() + ": " + d.Msg }

// Error implements error with the same text as String.
func (d Diagnostic) Error() string { return d.String() }

// Diagnostics is a list of problems. As an error it renders one diagnostic
// per line, sorted by path, line, column and message.
//
// A nil or empty Diagnostics must not be returned as an error (it would be a
// non-nil error with no text); use Err.
type Diagnostics []Diagnostic

// Error implements error. It does not modify ds.
func (ds Diagnostics) Error() string {
	sorted := slices.Clone(ds)
	sorted.Sort()
	lines := make([]string, len(sorted))
	for i, d := range sorted {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders ds in place by path, line, column, then message.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}

// Err returns nil when ds is empty, and otherwise a sorted copy of ds as an
// error.
func (ds Diagnostics) Err() error {
	if len(ds) == 0 {
		return nil
	}
	sorted := slices.Clone(ds)
	sorted.Sort()
	return sorted
}

// Add appends a diagnostic at pos.
func (ds *Diagnostics) Add(pos Pos, msg string) { *ds = append(*ds, At(pos, msg)) }

// Addf appends a diagnostic at pos with a formatted message.
func (ds *Diagnostics) Addf(pos Pos, format string, args ...any) {
	ds.Add(pos, fmt.Sprintf(format, args...))
}
