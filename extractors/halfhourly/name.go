package halfhourly

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/mpan"
)

// MPxNFromName finds a meter point number in a file's base name: the first
// run of exactly 13 digits that is an MPAN core with a valid check digit,
// else the first run of 6 to 10 digits that could be an MPRN, else "".
// Runs are maximal (digits of a longer run are never taken apart). A run
// that could be an MPRN is skipped when it starts with 0 or reads as a date
// (yyyymmdd, ddmmyyyy, yyyymm, yymmdd), so "export_20230326.csv" gives "".
func MPxNFromName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	var runs []string
	for i := 0; i < len(base); {
		if !isDigit(base[i]) {
			i++
			continue
		}
		j := i
		for j < len(base) && isDigit(base[j]) {
			j++
		}
		runs = append(runs, base[i:j])
		i = j
	}
	for _, r := range runs {
		if len(r) == mpan.Length && mpan.Valid(r) {
			return r
		}
	}
	for _, r := range runs {
		if len(r) >= 6 && len(r) <= 10 && r[0] != '0' && !looksLikeDate(r) {
			return r
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func looksLikeDate(r string) bool {
	var layouts []string
	switch len(r) {
	case 8:
		layouts = []string{"20060102", "02012006"}
	case 6:
		layouts = []string{"200601", "060102"}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, r); err == nil && t.Year() >= 1990 && t.Year() <= 2099 {
			return true
		}
	}
	return false
}
