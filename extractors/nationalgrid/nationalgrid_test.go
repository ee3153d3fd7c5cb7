package nationalgrid_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/extractors/nationalgrid"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/testenv"
)

const realFile = "nationalgrid-cv/cv.csv"

func run(t *testing.T, name, text string) (*extracttest.Sink, error) {
	t.Helper()
	x := nationalgrid.New()
	sink := extracttest.NewSink(x.Streams())
	err := x.ExtractFile(context.Background(), extract.File{Name: name, Path: "in/" + name, LoadID: "L1", Body: strings.NewReader(text)}, sink)
	return sink, err
}

func mustRun(t *testing.T, name, text string) *extracttest.Sink {
	t.Helper()
	sink, err := run(t, name, text)
	if err != nil {
		t.Fatalf("ExtractFile: %v", err)
	}
	return sink
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

func TestStreamsMatchTheMigration(t *testing.T) {
	want := extracttest.MigrationColumns(t, "00006_raw_nationalgrid_data_items.sql", nationalgrid.Table)
	got := nationalgrid.New().Streams()
	if len(got) != 1 || got[0].Table != nationalgrid.Table {
		t.Fatalf("Streams() = %+v", got)
	}
	if !reflect.DeepEqual(got[0].Columns, want) {
		t.Errorf("columns differ from the migration:\n got %v\nwant %v", got[0].Columns, want)
	}
}

// The real Data Item Explorer export: 13 LDZs × 31 days of July 2014,
// quoted commas in the data item, unpadded Applicable For days, an empty
// Quality Indicator column.
func TestRealCalorificValues(t *testing.T) {
	b, err := os.ReadFile(testenv.RealData(t, realFile))
	if err != nil {
		t.Fatal(err)
	}
	if !nationalgrid.New().Match("cv.csv", b[:min(len(b), 512)]) {
		t.Fatal("Match refuses the real file")
	}
	sink := mustRun(t, "cv.csv", string(b))
	if len(sink.Rejections) != 0 {
		t.Errorf("rejections: %+v", sink.Rejections)
	}
	rows := sink.Rows[nationalgrid.Table]
	if len(rows) != 403 {
		t.Fatalf("got %d rows, want 403 (13 LDZs × 31 days)", len(rows))
	}
	perArea, perDay := map[any]int{}, map[any]int{}
	sum := 0.0
	for i := range rows {
		r := sink.Record(nationalgrid.Table, i)
		perArea[r["area"]]++
		perDay[r["applicable_for"]]++
		sum += r["value"].(float64)
		if r["item"] != nationalgrid.ItemCV || r["doubled_at_source"] != false || r["value"] != r["value_as_delivered"] || r["quality_indicator"] != nil {
			t.Errorf("row %d: %v", i, r)
		}
	}
	if len(perArea) != 13 || len(perDay) != 31 {
		t.Errorf("%d areas and %d days, want 13 and 31", len(perArea), len(perDay))
	}
	for a, n := range perArea {
		if n != 31 {
			t.Errorf("area %v has %d days", a, n)
		}
	}
	// Mean CV of the month over all LDZs, from the file: (124×39 + 31×39.1 +
	// 31×39.2 + 93×39.3 + 31×39.4 + 62×39.5 + 31×39.7) / 403.
	if want := (124*39 + 31*39.1 + 31*39.2 + 93*39.3 + 31*39.4 + 62*39.5 + 31*39.7) / 403; abs(sum/403-want) > 1e-9 {
		t.Errorf("mean CV %v, want %v", sum/403, want)
	}
	first := map[string]any{"load_id": "L1", "file_name": "cv.csv", "line_no": int64(2), "data_item": "Calorific Value, LDZ(EA)",
		"item": nationalgrid.ItemCV, "area": "EA", "applicable_for": day(2014, 7, 1), "applicable_at": at(2014, 7, 1, 10, 30, 23),
		"generated_at": at(2018, 2, 21, 10, 32, 1), "quality_indicator": nil, "value": 39.0, "value_as_delivered": 39.0, "doubled_at_source": false}
	if got := sink.Record(nationalgrid.Table, 0); !reflect.DeepEqual(got, first) {
		t.Errorf("first row:\n got %v\nwant %v", got, first)
	}
	last := sink.Record(nationalgrid.Table, 402)
	if last["line_no"] != int64(404) || last["area"] != "WS" || last["applicable_for"] != day(2014, 7, 31) || last["value"] != 39.2 {
		t.Errorf("last row = %v", last)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

const dieHeader = "Applicable At,Applicable For,Data Item,Value,Generated Time,Quality Indicator\n"

// Files the seed system's extract wrote: one row added to itself, so the
// value is doubled and every text field written twice. They land halved;
// an ordinary row beside them does not.
func TestLegacyDoubledRowsAreHalvedAtTheSource(t *testing.T) {
	text := ",name,applicable_at,applicable_for,value\n" +
		`0,"Calorific Value, LDZ(EA)Calorific Value, LDZ(EA)",2019-07-02T13:10:05Z2019-07-02T13:10:05Z,2019-07-01T00:00:00Z2019-07-01T00:00:00Z,78.84` + "\n" +
		`0,"Weather Correction Factor, Allocated (SE)Weather Correction Factor, Allocated (SE)",2019-01-02T09:00:00Z2019-01-02T09:00:00Z,2019-01-01T00:00:00Z2019-01-01T00:00:00Z,-3.1` + "\n" +
		`0,"Calorific Value, LDZ(NW)",2019-07-02T13:10:05Z,2019-07-01T00:00:00Z,39.2` + "\n"
	sink := mustRun(t, "alp_cv_historical_LDZ(EA)_2019-07-01.csv", text)
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	type row struct {
		item, area       any
		day, at          any
		value, delivered any
		doubled          any
	}
	var got []row
	for i := range sink.Rows[nationalgrid.Table] {
		r := sink.Record(nationalgrid.Table, i)
		got = append(got, row{r["item"], r["area"], r["applicable_for"], r["applicable_at"], r["value"], r["value_as_delivered"], r["doubled_at_source"]})
		if strings.Count(r["data_item"].(string), ",") != 1 {
			t.Errorf("data item %q is not un-doubled", r["data_item"])
		}
	}
	want := []row{
		// 78.84 / 2 = 39.42 MJ/m³; 13:10:05Z in July is 14:10:05 BST.
		{nationalgrid.ItemCV, "EA", day(2019, 7, 1), at(2019, 7, 2, 14, 10, 5), 39.42, 78.84, true},
		// -3.1 / 2 = -1.55; January is GMT.
		{nationalgrid.ItemWCF, "SE", day(2019, 1, 1), at(2019, 1, 2, 9, 0, 0), -1.55, -3.1, true},
		{nationalgrid.ItemCV, "NW", day(2019, 7, 1), at(2019, 7, 2, 14, 10, 5), 39.2, 39.2, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestDataItems(t *testing.T) {
	text := dieHeader +
		`01/07/2014 10:30:23,1/07/2014,"Calorific Value, Campbeltown",39.6,21/02/2018 10:32:01,` + "\n" +
		`01/07/2014 10:30:23,1/07/2014,"Weather Correction Factor, Allocated, LDZ(wn)",0.75,21/02/2018 10:32:01,A` + "\n" +
		`01/07/2014 10:30:23,1/07/2014,"Composite Weather Variable, LDZ(EA)",14.2,,` + "\n"
	sink := mustRun(t, "f.csv", text)
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	if got, want := sink.Column(nationalgrid.Table, "item"), []any{nationalgrid.ItemCV, nationalgrid.ItemWCF, nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("item = %v, want %v", got, want)
	}
	if got, want := sink.Column(nationalgrid.Table, "area"), []any{"Campbeltown", "WN", "EA"}; !reflect.DeepEqual(got, want) {
		t.Errorf("area = %v, want %v", got, want)
	}
	if got, want := sink.Column(nationalgrid.Table, "quality_indicator"), []any{nil, "A", nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("quality_indicator = %v, want %v", got, want)
	}
	if got := sink.Column(nationalgrid.Table, "generated_at"); got[2] != nil {
		t.Errorf("empty generated time = %v, want NULL", got[2])
	}
}

func TestTolerances(t *testing.T) {
	base := dieHeader + `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,` + "\n"
	for name, text := range map[string]string{
		"CRLF":            strings.ReplaceAll(base, "\n", "\r\n"),
		"BOM":             "\xEF\xBB\xBF" + base,
		"no final EOL":    strings.TrimSuffix(base, "\n"),
		"blank lines":     strings.ReplaceAll(base, "\n", "\n\n"),
		"other order":     "Value,Data Item,Applicable For\n39,\"Calorific Value, LDZ(EA)\",01/07/2014\n",
		"padded, quoted":  "\"Applicable For\" , Data Item , Value\n \"1/7/2014\" , \"Calorific Value, LDZ(EA)\" , 39 \n",
		"ISO date":        "applicable_for,name,value\n2014-07-01,\"Calorific Value, LDZ(EA)\",39\n",
		"quoted quote ok": "Applicable For,Data Item,Value\n1/07/2014,\"Calorific Value, LDZ(\"\"EA\"\")\",39\n",
	} {
		t.Run(name, func(t *testing.T) {
			sink := mustRun(t, "f.csv", text)
			if len(sink.Rejections) != 0 || len(sink.Rows[nationalgrid.Table]) != 1 {
				t.Fatalf("rows %v rejections %+v", sink.Rows, sink.Rejections)
			}
			r := sink.Record(nationalgrid.Table, 0)
			if r["applicable_for"] != day(2014, 7, 1) || r["value"] != 39.0 || r["item"] != nationalgrid.ItemCV {
				t.Errorf("row = %v", r)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	const good = `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`
	tests := []struct{ name, row, reason string }{
		{"value not a number", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",n/a,21/02/2018 10:32:01,`, "value \"n/a\" is not a number"},
		{"empty value", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",,21/02/2018 10:32:01,`, "is not a number"},
		{"bad day", `01/07/2014 10:30:23,31/06/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`, "applicable for \"31/06/2014\" is not a date"},
		{"empty day", `01/07/2014 10:30:23,,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`, "applicable for \"\" is not a date"},
		{"bad publication time", `01/07/2014 25:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`, "applicable at"},
		{"empty data item", `01/07/2014 10:30:23,1/07/2014,,39,21/02/2018 10:32:01,`, "data item is empty"},
		{"doubled CV without evidence", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",78.6,21/02/2018 10:32:01,`, "twice a plausible one"},
		{"CV in kWh/m³", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",11.0,21/02/2018 10:32:01,`, "outside 30–50"},
		{"name doubled, dates not", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)Calorific Value, LDZ(EA)",78,21/02/2018 10:32:01,`, "is written twice (the legacy extract's doubling) but applicable for"},
		{"date doubled, name not", `01/07/2014 10:30:23,1/07/20141/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`, "is written twice but the data item is not"},
		{"unclosed quote", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA),39,21/02/2018 10:32:01,`, "broken quoting"},
		{"too few columns", `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39`, "4 columns, want 6"},
		{"unquoted comma", `01/07/2014 10:30:23,1/07/2014,Calorific Value, LDZ(EA),39,21/02/2018 10:32:01,`, "7 columns, want 6"},
		{"line too long", good + strings.Repeat("x", 70000), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, "f.csv", dieHeader+good+"\n"+tt.row+"\n"+good+"\n")
			if len(sink.Rows[nationalgrid.Table]) != 2 {
				t.Errorf("got %d rows, want 2", len(sink.Rows[nationalgrid.Table]))
			}
			if len(sink.Rejections) != 1 {
				t.Fatalf("rejections %+v, want 1", sink.Rejections)
			}
			r := sink.Rejections[0]
			if r.Line != 3 || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("rejection = line %d %q, want line 3 containing %q", r.Line, r.Reason, tt.reason)
			}
			if len(tt.row) < 1000 && r.Raw != tt.row {
				t.Errorf("raw = %q", r.Raw)
			}
		})
	}
}

func TestStructureErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int64
		reason     string
	}{
		{"empty", "", 0, "no recognisable header"},
		{"no value column", "Applicable For,Data Item\n", 1, "want applicable for, data item"},
		{"data first", "1/07/2014,\"Calorific Value, LDZ(EA)\",39\n", 1, "no recognisable header"},
		{"two value columns", "Applicable For,Data Item,Value,value\n", 1, "both value"},
		{"broken header", "\"Applicable For,Data Item,Value\n", 1, "broken quoting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, err := run(t, "f.csv", tt.text)
			var se *extract.StructureError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want a *extract.StructureError", err)
			}
			if se.Line != tt.line || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", se.Line, se.Reason, tt.line, tt.reason)
			}
			if len(sink.Rows) != 0 || len(sink.Rejections) != 0 {
				t.Errorf("emitted before the structure error: %v %v", sink.Rows, sink.Rejections)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	x := nationalgrid.New()
	for _, tt := range []struct {
		name, head string
		want       bool
	}{
		{"cv.csv", dieHeader, true},
		{"CV.CSV", "\xEF\xBB\xBF" + dieHeader, true},
		{"legacy.csv", ",name,applicable_at,applicable_for,value\n", true},
		{"cv.txt", dieHeader, false},
		{"hh.csv", "Consumption (kWh), Start, End\n", false},
		{"alp.csv", "RegionProfile,Date,ForecastDocumentation,Variance\n", false},
		{"empty.csv", "", false},
	} {
		if got := x.Match(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestSinkErrorsAreReturnedUnchanged(t *testing.T) {
	x := nationalgrid.New()
	sink := extracttest.NewSink(x.Streams())
	sink.FailAfter = 1
	text := dieHeader + strings.Repeat(`01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,`+"\n", 3)
	if err := x.ExtractFile(context.Background(), extract.File{Name: "f.csv", Body: strings.NewReader(text)}, sink); err != extracttest.ErrInjected {
		t.Fatalf("error = %v, want the sink's error itself", err)
	}
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := nationalgrid.New()
	err := x.ExtractFile(ctx, extract.File{Name: "f.csv", Body: strings.NewReader(dieHeader)}, extracttest.NewSink(x.Streams()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
