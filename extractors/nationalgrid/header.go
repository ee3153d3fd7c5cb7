package nationalgrid

import (
	"fmt"

	"github.com/cdw-dev/cdw/extractors/internal/csvfields"
)

// layout says where each known column is in a file (-1 when absent).
type layout struct {
	n                                     int
	at, forDay, item, value, gen, quality int
}

// role names the layout field a normalised header name fills, or "".
func role(name string) string {
	switch name {
	case "applicableat":
		return "applicable at"
	case "applicablefor":
		return "applicable for"
	case "dataitem", "name", "publicationobjectname":
		return "data item"
	case "value":
		return "value"
	case "generatedtime", "generatedat":
		return "generated time"
	case "qualityindicator":
		return "quality indicator"
	}
	return ""
}

// parseHeader recognises a header line; on failure it returns a reason.
func parseHeader(line []byte) (layout, string) {
	var s csvfields.Splitter
	fields, ok := s.Split(line)
	l := layout{n: len(fields), at: -1, forDay: -1, item: -1, value: -1, gen: -1, quality: -1}
	if !ok {
		return l, fmt.Sprintf("no recognisable header: broken quoting in %.80q", line)
	}
	var norm []byte
	for i, f := range fields {
		norm = csvfields.Normalise(norm[:0], f)
		r := role(string(norm))
		var slot *int
		switch r {
		case "applicable at":
			slot = &l.at
		case "applicable for":
			slot = &l.forDay
		case "data item":
			slot = &l.item
		case "value":
			slot = &l.value
		case "generated time":
			slot = &l.gen
		case "quality indicator":
			slot = &l.quality
		default:
			continue
		}
		if *slot >= 0 {
			return l, fmt.Sprintf("no recognisable header: columns %d and %d are both %s columns", *slot+1, i+1, r)
		}
		*slot = i
	}
	if l.forDay < 0 || l.item < 0 || l.value < 0 {
		return l, fmt.Sprintf("no recognisable header: want applicable for, data item (or name) and value columns, got %.80q", line)
	}
	return l, ""
}
