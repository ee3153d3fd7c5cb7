// Package csvfields splits one line of a comma-separated file into fields,
// the way the reference-data extractors need it: double-quoted fields may
// hold commas and doubled quotes (RFC 4180 within one line), spaces and
// tabs around a field are dropped, and a malformed line is reported rather
// than guessed at.
package csvfields

import "fmt"

// Splitter splits lines into fields. It reuses its buffers, so the fields
// it returns are valid only until the next call. The zero value is ready.
// A Splitter is not safe for concurrent use.
type Splitter struct {
	fields [][]byte
}

// Split returns the fields of line. ok is false when a quoted field is not
// closed, or text follows a closing quote before the next comma (`"a"b`);
// a quote inside an unquoted field (`a"b`) is kept as text.
func (s *Splitter) Split(line []byte) (fields [][]byte, ok bool) {
	s.fields = s.fields[:0]
	i := 0
	for {
		// Skip leading blanks of the field.
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i < len(line) && line[i] == '"' {
			f, next, good := s.quoted(line, i+1)
			if !good {
				return s.fields, false
			}
			s.fields = append(s.fields, f)
			i = next
			for i < len(line) && isBlank(line[i]) {
				i++
			}
			if i == len(line) {
				return s.fields, true
			}
			if line[i] != ',' {
				return s.fields, false
			}
			i++
			continue
		}
		start := i
		for i < len(line) && line[i] != ',' {
			i++
		}
		s.fields = append(s.fields, trimBlank(line[start:i]))
		if i == len(line) {
			return s.fields, true
		}
		i++ // the comma
	}
}

// quoted reads a quoted field whose text starts at line[i] and returns it,
// the index after its closing quote, and whether it was closed.
func (s *Splitter) quoted(line []byte, i int) ([]byte, int, bool) {
	start := i
	escaped := false
	for i < len(line) {
		if line[i] != '"' {
			i++
			continue
		}
		if i+1 < len(line) && line[i+1] == '"' {
			escaped = true
			i += 2
			continue
		}
		f := line[start:i]
		if escaped { // rare: a copy without the doubled quotes
			u := make([]byte, 0, len(f))
			for j := 0; j < len(f); j++ {
				u = append(u, f[j])
				if f[j] == '"' {
					j++ // the second quote of a pair
				}
			}
			f = u
		}
		return f, i + 1, true
	}
	return nil, i, false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func trimBlank(f []byte) []byte {
	for len(f) > 0 && isBlank(f[0]) {
		f = f[1:]
	}
	for len(f) > 0 && isBlank(f[len(f)-1]) {
		f = f[:len(f)-1]
	}
	return f
}

// Normalise appends name lower-cased with everything but letters and
// digits dropped ("Applicable For" → "applicablefor") to dst: the form
// header names are matched in.
func Normalise(dst, name []byte) []byte {
	for _, c := range name {
		switch {
		case c >= 'A' && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			dst = append(dst, c)
		}
	}
	return dst
}

// Columns finds the roles of a header's fields: role names the role of a
// field's Normalise'd text, or "" for a column the extractor ignores. It
// returns each role's column index (Column gives -1 for a missing one), or
// a reason when two columns claim the same role.
func Columns(fields [][]byte, role func(name string) string) (Layout, string) {
	cols := Layout{}
	var norm []byte
	for i, f := range fields {
		norm = Normalise(norm[:0], f)
		r := role(string(norm))
		if r == "" {
			continue
		}
		if j, dup := cols[r]; dup {
			return cols, fmt.Sprintf("no recognisable header: columns %d and %d are both %s columns", j+1, i+1, r)
		}
		cols[r] = i
	}
	return cols, ""
}

// Layout maps a role to its column index.
type Layout map[string]int

// Column is role's column index, or -1 when the header has none.
func (l Layout) Column(role string) int {
	if i, ok := l[role]; ok {
		return i
	}
	return -1
}
