// Package csvx reads RFC 4180 CSV and, unlike encoding/csv, says whether
// each field was quoted, so that an unquoted empty field (NULL) can be
// told from a quoted one ("" — the empty string), the convention of
// PostgreSQL's COPY ... CSV. Values are returned exactly as written: no
// trimming, no type conversion. It streams: memory grows with the longest
// record, not the file.
package csvx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Field is one field of a record.
type Field struct {
	Value string
	// Quoted is true when the field was enclosed in double quotes.
	Quoted bool
}

// IsNull reports whether the field is an unquoted empty field.
func (f Field) IsNull() bool { return f.Value == "" && !f.Quoted }

// ParseError is a malformed record, with the line it starts on (1-based).
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Reader reads records from a CSV stream. Records end with \n or \r\n; a
// quoted field may span lines and holds "" for a literal quote. A UTF-8
// byte order mark at the very start is skipped. Blank lines are skipped. A
// Reader is not safe for concurrent use.
type Reader struct {
	r     *bufio.Reader
	delim rune
	line  int // lines consumed so far
	start int // line the last record started on
	begun bool
}

// NewReader reads from r with the given field delimiter (',' when 0). The
// delimiter must not be a quote, \r or \n.
func NewReader(r io.Reader, delim rune) *Reader {
	if delim == 0 {
		delim = ','
	}
	return &Reader{r: bufio.NewReaderSize(r, 64*1024), delim: delim}
}

// Line returns the line the last record returned by Read started on.
func (r *Reader) Line() int { return r.start }

// Read returns the next record, or io.EOF after the last one. A malformed
// record (a quote inside an unquoted field, text after a closing quote, an
// unterminated quoted field, invalid UTF-8) is a *ParseError.
func (r *Reader) Read() ([]Field, error) {
	for {
		rec, blank, err := r.readRecord()
		if err != nil {
			return nil, err
		}
		if !blank {
			return rec, nil
		}
	}
}

func (r *Reader) readRecord() (rec []Field, blank bool, err error) {
	line, term, err := r.readLine()
	if err != nil {
		return nil, false, err
	}
	r.start = r.line
	if line == "" {
		return nil, true, nil
	}
	var (
		field  strings.Builder
		quoted bool
	)
	i := 0
	for {
		// Start of a field.
		field.Reset()
		quoted = false
		if i < len(line) && line[i] == '"' {
			quoted = true
			i++
			for {
				j := strings.IndexByte(line[i:], '"')
				if j < 0 {
					// The quoted field continues on the next line.
					// The line break is part of the value, as written.
					field.WriteString(line[i:])
					field.WriteString(term)
					next, nextTerm, err := r.readLine()
					if err == io.EOF || (err == nil && term == "") {
						return nil, false, &ParseError{Line: r.start, Msg: "quoted field is never closed"}
					}
					if err != nil {
						return nil, false, err
					}
					line, term, i = next, nextTerm, 0
					continue
				}
				field.WriteString(line[i : i+j])
				i += j + 1
				if i < len(line) && line[i] == '"' {
					field.WriteByte('"')
					i++
					continue
				}
				break
			}
			if i < len(line) && !r.isDelim(line, i) {
				return nil, false, &ParseError{Line: r.line, Msg: "unexpected text after a closing quote"}
			}
		} else {
			end := len(line)
			if k := strings.IndexRune(line[i:], r.delim); k >= 0 {
				end = i + k
			}
			if q := strings.IndexByte(line[i:end], '"'); q >= 0 {
				return nil, false, &ParseError{Line: r.line, Msg: "a quote inside an unquoted field (quote the whole field and double the quote)"}
			}
			field.WriteString(line[i:end])
			i = end
		}
		rec = append(rec, Field{Value: field.String(), Quoted: quoted})
		if i >= len(line) {
			return rec, false, nil
		}
		i += utf8.RuneLen(r.delim) // skip the delimiter
	}
}

func (r *Reader) isDelim(line string, i int) bool {
	d, _ := utf8.DecodeRuneInString(line[i:])
	return d == r.delim
}

// readLine returns the next line and, separately, its terminator ("\n",
// "\r\n", or "" for a last line without one).
func (r *Reader) readLine() (line, term string, err error) {
	s, err := r.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", "", err
	}
	r.line++
	if !r.begun {
		r.begun = true
		s = strings.TrimPrefix(s, "\ufeff")
	}
	switch {
	case strings.HasSuffix(s, "\r\n"):
		s, term = s[:len(s)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		s, term = s[:len(s)-1], "\n"
	}
	if !utf8.ValidString(s) {
		return "", "", &ParseError{Line: r.line, Msg: "not valid UTF-8"}
	}
	return s, term, nil
}
