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
	if !ok {
		return layout{}, fmt.Sprintf("no recognisable header: broken quoting in %.80q", line)
	}
	cols, reason := csvfields.Columns(fields, role)
	l := layout{n: len(fields), region: cols.Column("region profile"), ldz: cols.Column("LDZ"), euc: cols.Column("EUC"),
		day: cols.Column("date"), alp: cols.Column("ALP"), daf: cols.Column("DAF")}
	if reason != "" {
		return l, reason
	}
	where := l.region >= 0 || (l.ldz >= 0 && l.euc >= 0)
	if !where || l.day < 0 || l.alp < 0 || l.daf < 0 {
		return l, fmt.Sprintf("no recognisable header: want a region profile (or LDZ and EUC), date, ALP and DAF columns, got %.80q", line)
	}
	return l, ""
}
