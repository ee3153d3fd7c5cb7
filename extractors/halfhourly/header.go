package halfhourly

import (
	"fmt"

	"github.com/cdw-dev/cdw/extractors/internal/csvfields"
)

// layout says where each known column is in a file (-1 when absent).
type layout struct {
	n                             int
	kwh, start, end, mpxn, serial int
}

// role says which layout field a header name fills ("" for none). name is
// normalised: lower-case letters and digits only. Names starting with
// "consumption" are consumption columns.
func role(name string) string {
	switch name {
	case "consumption", "kwh":
		return "kwh"
	case "start", "intervalstart", "starttime", "startdatetime", "periodstart":
		return "start"
	case "end", "intervalend", "endtime", "enddatetime", "periodend":
		return "end"
	case "mpan", "mpancore", "mprn", "mpxn":
		return "mpxn"
	case "serial", "meterserial", "serialnumber", "meterserialnumber", "msn":
		return "serial"
	}
	if len(name) > len("consumption") && name[:len("consumption")] == "consumption" {
		return "kwh"
	}
	return ""
}

// parseHeader recognises a header line. fields is scratch space (may be
// nil). On failure it returns a reason instead of an error value.
func parseHeader(line []byte, fields [][]byte) (layout, string) {
	fields = splitCSV(line, fields[:0])
	cols, reason := csvfields.Columns(fields, role)
	l := layout{n: len(fields), kwh: cols.Column("kwh"), start: cols.Column("start"), end: cols.Column("end"),
		mpxn: cols.Column("mpxn"), serial: cols.Column("serial")}
	if reason != "" {
		return l, reason
	}
	if l.kwh < 0 || l.start < 0 || l.end < 0 {
		return l, fmt.Sprintf("no recognisable header: want consumption, start and end columns, got %.80q", line)
	}
	return l, ""
}

// splitCSV appends line's comma-separated fields to dst, each trimmed of
// spaces and of one pair of surrounding double quotes. Commas inside double
// quotes do not split; doubled quotes inside a field are left as they are.
func splitCSV(line []byte, dst [][]byte) [][]byte {
	start, quoted := 0, false
	for i, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				dst = append(dst, cleanField(line[start:i]))
				start = i + 1
			}
		}
	}
	return append(dst, cleanField(line[start:]))
}

func cleanField(f []byte) []byte {
	f = trimSpace(f)
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		f = trimSpace(f[1 : len(f)-1])
	}
	return f
}

func trimSpace(f []byte) []byte {
	for len(f) > 0 && (f[0] == ' ' || f[0] == '\t') {
		f = f[1:]
	}
	for len(f) > 0 && (f[len(f)-1] == ' ' || f[len(f)-1] == '\t' || f[len(f)-1] == '\r') {
		f = f[:len(f)-1]
	}
	return f
}
