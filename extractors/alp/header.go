package alp

import (
	"fmt"

	"github.com/cdw-dev/cdw/extractors/internal/csvfields"
)

// layout says where each known column is in a file (-1 when absent).
type layout struct {
	n                               int
	region, ldz, euc, day, alp, daf int
}

func role(name string) string {
	switch name {
	case "regionprofile", "euccode":
		return "region profile"
	case "ldz", "ldzid":
		return "LDZ"
	case "euc", "enduser", "endusercategory", "endusercategorycode":
		return "EUC"
	case "date", "gasday", "applicablefor":
		return "date"
	case "alp", "annualloadprofile", "forecastdocumentation":
		return "ALP"
	case "daf", "dailyadjustmentfactor", "variance":
		return "DAF"
	}
	return ""
}

// parseHeader recognises a header line; on failure it returns a reason.
func parseHeader(line []byte) (layout, string) {
	var s csvfields.Splitter
	fields, ok := s.Split(line)
	l := layout{n: len(fields), region: -1, ldz: -1, euc: -1, day: -1, alp: -1, daf: -1}
	if !ok {
		return l, fmt.Sprintf("no recognisable header: broken quoting in %.80q", line)
	}
	var norm []byte
	for i, f := range fields {
		norm = csvfields.Normalise(norm[:0], f)
		r := role(string(norm))
		var slot *int
		switch r {
		case "region profile":
			slot = &l.region
		case "LDZ":
			slot = &l.ldz
		case "EUC":
			slot = &l.euc
		case "date":
			slot = &l.day
		case "ALP":
			slot = &l.alp
		case "DAF":
			slot = &l.daf
		default:
			continue
		}
		if *slot >= 0 {
			return l, fmt.Sprintf("no recognisable header: columns %d and %d are both %s columns", *slot+1, i+1, r)
		}
		*slot = i
	}
	where := l.region >= 0 || (l.ldz >= 0 && l.euc >= 0)
	if !where || l.day < 0 || l.alp < 0 || l.daf < 0 {
		return l, fmt.Sprintf("no recognisable header: want a region profile (or LDZ and EUC), date, ALP and DAF columns, got %.80q", line)
	}
	return l, ""
}
