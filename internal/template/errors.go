package template

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/parser"
)

// Error is one template problem at path:line (col when known).
type Error struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Errors is a list of template problems; it is the error type every
// function of this package returns.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Path != es[j].Path {
			return es[i].Path < es[j].Path
		}
		return es[i].Line < es[j].Line
	})
	return es
}

var (
	atLine      = regexp.MustCompile(`at line (\d+)`)
	notCallable = regexp.MustCompile(`call\(.*?\): (\w+) is not callable`)
	undefName   = regexp.MustCompile(`Unable to evaluate name "(\w+)"`)
	// noise is gonja's wrapping that says nothing the position does not.
	noise = regexp.MustCompile(`Unable to (render expression|execute controlStructure|render condition) at line \d+: |call\(.*?\): |unable to execute template: `)
)

// asError turns a gonja error into an Error at path:line with a message a
// user can act on.
func asError(path string, err error) *Error {
	e := &Error{Path: path}
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		e.Line, e.Col = se.Line, se.Column
		e.Msg = "syntax error: " + se.Message
		if e.Line == 0 {
			// gonja loses the position of some parse errors; say so rather than point at line 0.
			e.Msg += " (position unknown)"
		}
		return e
	}
	msg := err.Error()
	if m := atLine.FindAllStringSubmatch(msg, -1); len(m) > 0 {
		// The innermost "at line" is the most precise.
		e.Line, _ = strconv.Atoi(m[len(m)-1][1])
	}
	switch {
	case notCallable.MatchString(msg):
		e.Msg = fmt.Sprintf("unknown macro or function %q", notCallable.FindStringSubmatch(msg)[1])
	case undefName.MatchString(msg):
		e.Msg = fmt.Sprintf("undefined variable %q", undefName.FindStringSubmatch(msg)[1])
	default:
		e.Msg = noise.ReplaceAllString(msg, "")
	}
	return e
}
