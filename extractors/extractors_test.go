package extractors_test

import (
	"fmt"
	"testing"

	"github.com/cdw-dev/cdw/extractors"
	"github.com/cdw-dev/cdw/internal/extract"
)

func TestAllIsStableAndWellFormed(t *testing.T) {
	all := extractors.All()
	var names []string
	tables := map[string]string{}
	for _, x := range all {
		names = append(names, x.Name())
		_, file := x.(extract.FileExtractor)
		_, unit := x.(extract.UnitExtractor)
		if file == unit {
			t.Errorf("%s must be exactly one of FileExtractor and UnitExtractor", x.Name())
		}
		for _, s := range x.Streams() {
			if other, dup := tables[s.Table]; dup {
				t.Errorf("table %s written by both %s and %s", s.Table, other, x.Name())
			}
			tables[s.Table] = x.Name()
			// File rows trace back to their file and line.
			if file && (len(s.Columns) < 3 || s.Columns[0].Name != "load_id" || s.Columns[1].Name != "file_name" || s.Columns[2].Name != "line_no") {
				t.Errorf("%s: stream %s does not start with load_id, file_name, line_no", x.Name(), s.Table)
			}
		}
	}
	if want := "[d0010 halfhourly nationalgrid d0018 alp billing]"; fmt.Sprint(names) != want {
		t.Errorf("All() names = %v, want %s", names, want)
	}
	all[0] = nil
	if extractors.All()[0] == nil {
		t.Error("All() returned a shared slice")
	}
}

// Each extractor takes the other's input? It must not.
func TestMatchesAreDisjoint(t *testing.T) {
	heads := map[string]string{
		"f.uff": "ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER|\n",
		"f.csv": "Consumption (kWh), Start, End\r\n",
		"z.csv": "ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER|\n",
		"d.flw": "ZHV|F1|D0018001|X|SVAA|X|SUPP|20231030101500||||OPER|\n",
		"e.flw": "ZPD|20231028|SF|D|2|\n",
		"g.csv": "Applicable At,Applicable For,Data Item,Value,Generated Time,Quality Indicator\n",
		"m.csv": ",name,applicable_at,applicable_for,value\n",
		"a.csv": "RegionProfile,Date,ForecastDocumentation,Variance\n",
		"b.csv": "LDZ,EUC,Gas Day,ALP,DAF\n",
	}
	for name, head := range heads {
		n := 0
		for _, x := range extractors.All() {
			if fx, ok := x.(extract.FileExtractor); ok && fx.Match(name, []byte(head)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is matched by %d extractors, want 1", name, n)
		}
	}
}
