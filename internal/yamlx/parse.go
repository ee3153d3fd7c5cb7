package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yamlErrLine matches the "yaml: line N: message" form of yaml.v3 syntax
// errors; yaml.v3 reports lines but no columns for them.
var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses data, the contents of the file at path, as one YAML document
// and returns the document's root value node. It returns (nil, nil) for an
// empty document (no content, or only comments).
//
// A syntax error becomes a single Diagnostic at the line yaml.v3 reports (the
// column is 0: yaml.v3 does not report it). More than one document in the
// file is a Diagnostic at the start of the second one. Parse never panics: a
// panic inside the YAML library is reported as a Diagnostic.
func Parse(path string, data []byte) (root *yaml.Node, diags Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			root = nil
			diags = Diagnostics{{Path: path, Msg: fmt.Sprintf("invalid YAML: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Diagnostics{syntaxDiagnostic(path, data, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF), err == nil && emptyDocument(&next):
	case err != nil:
		return nil, Diagnostics{syntaxDiagnostic(path, data, err)}
	default:
		return nil, Diagnostics{{Path: path, Line: next.Line, Col: next.Column,
			Msg: "more than one YAML document in the file; only one is allowed"}}
	}
	if emptyDocument(&doc) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// emptyDocument reports whether doc has no content: nothing, or an implicit
// null such as a lone "---".
func emptyDocument(doc *yaml.Node) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return true
	}
	c := doc.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" && c.Value == "" && c.Style == 0
}

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner): for them yaml.v3 prints a 0-based line number, so the 1-based
// line is one more.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// readerProblems are yaml.v3's messages about bad bytes, reported without a
// line; the position is recomputed from the input.
var readerProblems = map[string]bool{
	"control characters are not allowed": true,
	"invalid leading UTF-8 octet":        true,
	"invalid trailing UTF-8 octet":       true,
	"incomplete UTF-8 octet sequence":    true,
	"invalid Unicode character":          true,
	"invalid length of a UTF-8 sequence": true,
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// syntaxDiagnostic turns a yaml.v3 parse error into a Diagnostic, with the
// most precise position that can be recovered: yaml.v3 prints lines only,
// 0-based for parser errors, and none at all on the first line.
func syntaxDiagnostic(path string, data []byte, err error) Diagnostic {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			line, msg = n, m[2]
		}
	}
	d := Diagnostic{Path: path, Msg: "invalid YAML: " + msg}
	switch {
	case readerProblems[msg]:
		d.Line, d.Col = badCharPos(data)
	case unknownAnchor.MatchString(msg):
		name := unknownAnchor.FindStringSubmatch(msg)[1]
		d.Line, d.Col = aliasPos(data, name)
	case parserProblems[msg]:
		d.Line = line + 1
	case line > 0:
		d.Line = line
	case strings.HasPrefix(msg, "found") || strings.HasPrefix(msg, "did not find") ||
		strings.HasPrefix(msg, "could not find") || strings.Contains(msg, "not allowed"):
		// A scanner problem whose marks are all on the first line.
		d.Line = 1
	}
	return d
}

// badCharPos returns the 1-based line and column of the first byte that is
// not valid UTF-8 or is a control character YAML forbids, or 0, 0.
func badCharPos(data []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size <= 1) || forbidden(r) {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0
}

// forbidden reports whether YAML 1.2 disallows r in a stream.
func forbidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return false
	case r < 0x20, r >= 0x7F && r <= 0x9F, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
		return true
	}
	return false
}

// aliasPos returns the 1-based line and column of the first alias "*name"
// in data, or 0, 0.
func aliasPos(data []byte, name string) (line, col int) {
	needle := "*" + name
	text := string(data)
	for off := 0; ; {
		i := strings.Index(text[off:], needle)
		if i < 0 {
			return 0, 0
		}
		i += off
		end := i + len(needle)
		if end == len(text) || strings.ContainsRune(" \t\r\n,]}", rune(text[end])) {
			before := text[:i]
			line = strings.Count(before, "\n") + 1
			col = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
			return line, col
		}
		off = end
	}
}
