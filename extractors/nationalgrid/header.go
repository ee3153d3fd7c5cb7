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
	if !ok {
		return layout{}, fmt.Sprintf("no recognisable header: broken quoting in %.80q", line)
	}
	cols, reason := csvfields.Columns(fields, role)
	l := layout{n: len(fields), at: cols.Column("applicable at"), forDay: cols.Column("applicable for"), item: cols.Column("data item"),
		value: cols.Column("value"), gen: cols.Column("generated time"), quality: cols.Column("quality indicator")}
	if reason != "" {
		return l, reason
	}
	if l.forDay < 0 || l.item < 0 || l.value < 0 {
		return l, fmt.Sprintf("no recognisable header: want applicable for, data item (or name) and value columns, got %.80q", line)
	}
	return l, ""
}
