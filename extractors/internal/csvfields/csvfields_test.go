package csvfields

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		line string
		want []string
		ok   bool
	}{
		{`01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`,
			[]string{"01/07/2014 10:30:23", "1/07/2014", "Calorific Value, LDZ(EA)", "39", "21/02/2018 10:32:01", ""}, true},
		{`a, b ,c`, []string{"a", "b", "c"}, true},
		{` "a, b" , "c""d" ,""`, []string{"a, b", `c"d`, ""}, true},
		{`"x""y""z",w`, []string{`x"y"z`, "w"}, true},
		{``, []string{""}, true},
		{`,`, []string{"", ""}, true},
		{`a"b,c`, []string{`a"b`, "c"}, true},
		{`"open, never closed`, nil, false},
		{`"a"b,c`, nil, false},
		{"a,b\r", []string{"a", "b"}, true},
	}
	var s Splitter
	for _, tt := range tests {
		got, ok := s.Split([]byte(tt.line))
		if ok != tt.ok {
			t.Errorf("Split(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		var strs []string
		for _, f := range got {
			strs = append(strs, string(f))
		}
		if !reflect.DeepEqual(strs, tt.want) {
			t.Errorf("Split(%q) = %q, want %q", tt.line, strs, tt.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	if got := string(Normalise(nil, []byte(" Applicable For (UK)"))); got != "applicableforuk" {
		t.Errorf("Normalise = %q", got)
	}
}

func TestColumns(t *testing.T) {
	role := func(name string) string {
		switch name {
		case "date", "gasday":
			return "date"
		case "value":
			return "value"
		}
		return ""
	}
	var s Splitter
	fields, _ := s.Split([]byte(` "Gas Day" , Notes, VALUE`))
	cols, reason := Columns(fields, role)
	if reason != "" || cols.Column("date") != 0 || cols.Column("value") != 2 || cols.Column("other") != -1 {
		t.Errorf("Columns = %v, %q", cols, reason)
	}
	fields, _ = s.Split([]byte(`Date,value,gas_day`))
	if _, reason := Columns(fields, role); reason != "no recognisable header: columns 1 and 3 are both date columns" {
		t.Errorf("duplicate role: %q", reason)
	}
}
