package halfhourly_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/testenv"
)

const realFile = "octopus-export/consumption_dst_excerpt.csv"

func run(t *testing.T, name, text string) (*extracttest.Sink, error) {
	t.Helper()
	x := halfhourly.New()
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

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// londonDays counts rows by the Europe/London date of interval_start.
func londonDays(t *testing.T, sink *extracttest.Sink) map[string]int {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]int{}
	for _, v := range sink.Column(halfhourly.Table, "interval_start") {
		days[v.(time.Time).In(london).Format("2006-01-02")]++
	}
	return days
}

func TestStreamsMatchTheMigration(t *testing.T) {
	want := extracttest.MigrationColumns(t, "00003_raw_halfhourly_consumption.sql", "halfhourly_consumption")
	got := halfhourly.New().Streams()
	if len(got) != 1 || got[0].Table != halfhourly.Table {
		t.Fatalf("Streams() = %+v, want one stream %q", got, halfhourly.Table)
	}
	if !reflect.DeepEqual(got[0].Columns, want) {
		t.Errorf("columns differ from the migration:\n got %v\nwant %v", got[0].Columns, want)
	}
}

func TestRealOctopusExport(t *testing.T) {
	b, err := os.ReadFile(testenv.RealData(t, realFile))
	if err != nil {
		t.Fatal(err)
	}
	const name = "consumption_dst_excerpt.csv"
	if !halfhourly.New().Match(name, b[:min(len(b), 512)]) {
		t.Fatal("Match refuses the real file")
	}
	sink := mustRun(t, name, string(b))
	if len(sink.Rejections) != 0 {
		t.Errorf("rejections: %+v", sink.Rejections)
	}
	rows := sink.Rows[halfhourly.Table]
	if len(rows) != 106 {
		t.Errorf("got %d rows, want 106", len(rows))
	}
	days := londonDays(t, sink)
	if days["2023-03-26"] != 46 || days["2023-10-29"] != 50 {
		t.Errorf("intervals on the clock-change days = %d and %d, want 46 and 50 (all days: %v)", days["2023-03-26"], days["2023-10-29"], days)
	}
	for i, r := range rows {
		s, e := r[5].(time.Time), r[6].(time.Time)
		if e.Sub(s) != 30*time.Minute || s.Location() != time.UTC || e.Location() != time.UTC {
			t.Errorf("row %d: %v → %v is not a 30-minute UTC interval", i, s, e)
		}
	}
	want := map[int]map[string]any{
		// 2023-03-26T00:30:00+00:00 → 2023-03-26T02:00:00+01:00
		3: {"load_id": "L1", "file_name": name, "line_no": int64(5), "mpxn": nil, "meter_serial": nil,
			"interval_start": utc(2023, 3, 26, 0, 30), "interval_end": utc(2023, 3, 26, 1, 0), "kwh": 0.062},
		// 2023-10-29T01:30:00+01:00 → 2023-10-29T01:00:00+00:00
		54: {"load_id": "L1", "file_name": name, "line_no": int64(56), "mpxn": nil, "meter_serial": nil,
			"interval_start": utc(2023, 10, 29, 0, 30), "interval_end": utc(2023, 10, 29, 1, 0), "kwh": 0.041},
		// 2023-10-29T01:00:00+00:00 → 2023-10-29T01:30:00+00:00, the repeated hour
		55: {"load_id": "L1", "file_name": name, "line_no": int64(57), "mpxn": nil, "meter_serial": nil,
			"interval_start": utc(2023, 10, 29, 1, 0), "interval_end": utc(2023, 10, 29, 1, 30), "kwh": 0.045},
		0: {"load_id": "L1", "file_name": name, "line_no": int64(2), "mpxn": nil, "meter_serial": nil,
			"interval_start": utc(2023, 3, 25, 23, 0), "interval_end": utc(2023, 3, 25, 23, 30), "kwh": 0.12},
	}
	for i, w := range want {
		if got := sink.Record(halfhourly.Table, i); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d:\n got %v\nwant %v", i, got, w)
		}
	}
	last := sink.Record(halfhourly.Table, len(rows)-1)
	if last["line_no"] != int64(107) || !last["interval_end"].(time.Time).Equal(utc(2024, 8, 4, 0, 0)) {
		t.Errorf("last row = %v", last)
	}
}

const base = "Consumption (kWh), Start, End\n" +
	"0.12000000000000000000, 2023-03-26T00:00:00+00:00, 2023-03-26T00:30:00+00:00\n" +
	"0.06200000000000000000, 2023-03-26T00:30:00+00:00, 2023-03-26T02:00:00+01:00\n" +
	"1.0360000000000000, 2023-03-26T02:00:00+01:00, 2023-03-26T02:30:00+01:00\n"

type interval struct {
	line       int64
	start, end time.Time
	kwh        float64
}

var baseRows = []interval{
	{2, utc(2023, 3, 26, 0, 0), utc(2023, 3, 26, 0, 30), 0.12},
	{3, utc(2023, 3, 26, 0, 30), utc(2023, 3, 26, 1, 0), 0.062},
	{4, utc(2023, 3, 26, 1, 0), utc(2023, 3, 26, 1, 30), 1.036},
}

func intervals(sink *extracttest.Sink) []interval {
	var out []interval
	for _, r := range sink.Rows[halfhourly.Table] {
		out = append(out, interval{r[2].(int64), r[5].(time.Time), r[6].(time.Time), r[7].(float64)})
	}
	return out
}

func TestTolerances(t *testing.T) {
	shift := func(rows []interval, by int64) []interval {
		out := append([]interval(nil), rows...)
		for i := range out {
			out[i].line += by * int64(i+1)
		}
		return out
	}
	tests := []struct {
		name, text string
		want       []interval
	}{
		{"octopus shape", base, baseRows},
		{"CRLF", strings.ReplaceAll(base, "\n", "\r\n"), baseRows},
		{"BOM and CRLF", "\xEF\xBB\xBF" + strings.ReplaceAll(base, "\n", "\r\n"), baseRows},
		{"no final newline", strings.TrimSuffix(base, "\n"), baseRows},
		{"header case and spacing", strings.Replace(base, "Consumption (kWh), Start, End", "  CONSUMPTION(KWH) ,start ,  END  ", 1), baseRows},
		{"header with underscores", strings.Replace(base, "Consumption (kWh), Start, End", "consumption_kwh,interval_start,interval_end", 1), baseRows},
		{"quoted fields", `"Consumption (kWh)", "Start" ,"End"` + "\n" +
			`"0.12000000000000000000","2023-03-26T00:00:00+00:00","2023-03-26T00:30:00+00:00"` + "\n" +
			` "0.06200000000000000000" , "2023-03-26T00:30:00+00:00" , "2023-03-26T02:00:00+01:00" ` + "\n" +
			`1.0360000000000000,"2023-03-26T02:00:00+01:00",2023-03-26T02:30:00+01:00` + "\n", baseRows},
		{"blank lines skipped, line numbers kept", strings.ReplaceAll(base, "\n", "\n\n"), shift(baseRows, 1)},
		{"columns in another order plus an unknown one", "End,Notes,Start,kWh\n" +
			"2023-03-26T00:30:00Z,x,2023-03-26T00:00:00Z,0.12\n" +
			"2023-03-26T02:00:00+0100,,2023-03-26T00:30:00+00,0.062\n" +
			"2023-03-26 02:30:00.000+01:00,\"a, b\",2023-03-26 02:00+01:00,1.036\n", baseRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, "f.csv", tt.text)
			if len(sink.Rejections) != 0 {
				t.Fatalf("rejections: %+v", sink.Rejections)
			}
			if got := intervals(sink); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestMPxNAndSerial(t *testing.T) {
	b, err := os.ReadFile("testdata/hh_1400012345678.csv")
	if err != nil {
		t.Fatal(err)
	}
	sink := mustRun(t, "hh_1400012345678.csv", string(b))
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	// The MPAN column wins over the file name; an empty cell falls back to it.
	if got, want := sink.Column(halfhourly.Table, "mpxn"), []any{"1900076543210", "1900076543210", "1900076543210", "1400012345678"}; !reflect.DeepEqual(got, want) {
		t.Errorf("mpxn = %v, want %v", got, want)
	}
	if got, want := sink.Column(halfhourly.Table, "meter_serial"), []any{"Z22M 04567", "Z22M 04567", "Z22M 04567", nil}; !reflect.DeepEqual(got, want) {
		t.Errorf("meter_serial = %v, want %v", got, want)
	}
	want := []interval{
		{2, utc(2023, 10, 28, 23, 30), utc(2023, 10, 29, 0, 0), 0.043},
		{3, utc(2023, 10, 29, 0, 0), utc(2023, 10, 29, 0, 30), 0.05},
		{4, utc(2023, 10, 29, 0, 30), utc(2023, 10, 29, 1, 0), 0.041},
		{5, utc(2023, 10, 29, 1, 0), utc(2023, 10, 29, 1, 30), 0.045},
	}
	if got := intervals(sink); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}

	for name, want := range map[string]any{
		"1900076543210.csv":           "1900076543210",
		"consumption_dst_excerpt.csv": nil,
		"1900076543211.csv":           nil, // bad check digit
		"gas_MPRN_7654321.csv":        "7654321",
	} {
		sink := mustRun(t, name, base)
		for _, v := range sink.Column(halfhourly.Table, "mpxn") {
			if v != want {
				t.Errorf("file %s: mpxn = %v, want %v", name, v, want)
			}
		}
	}
	sink = mustRun(t, "1900076543210.csv", "MPRN,Start,End,Consumption\n9876543210,2023-03-26T00:00:00Z,2023-03-26T00:30:00Z,1\n")
	if got := sink.Column(halfhourly.Table, "mpxn"); !reflect.DeepEqual(got, []any{"9876543210"}) {
		t.Errorf("MPRN column: mpxn = %v", got)
	}
}

func TestMPxNFromName(t *testing.T) {
	for name, want := range map[string]string{
		"1900076543210.csv":             "1900076543210",
		"elec_1900076543210_2023.csv":   "1900076543210",
		"20231029_1900076543210.csv":    "1900076543210",
		"dir/1400012345678-export.CSV":  "1400012345678",
		"1900076543211.csv":             "", // 13 digits, bad check digit
		"19000765432100.csv":            "", // 14 digits
		"gas_1234567.csv":               "1234567",
		"mprn_9876543210.csv":           "9876543210",
		"gas_1234567_1900076543210.csv": "1900076543210", // an MPAN is preferred
		"export_20230326.csv":           "",              // a date
		"export_26032023.csv":           "",              // a date
		"export_202303.csv":             "",              // a month
		"export_230326.csv":             "",              // a short date
		"0123456.csv":                   "",              // leading zero
		"x_12345.csv":                   "",              // too short
		"x_12345678901.csv":             "",              // 11 digits
		"consumption_dst_excerpt.csv":   "",
		"2023-03-26_consumption.csv":    "",
	} {
		if got := halfhourly.MPxNFromName(name); got != want {
			t.Errorf("MPxNFromName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestRejections(t *testing.T) {
	const good = "0.5, 2023-03-27T10:00:00+01:00, 2023-03-27T10:30:00+01:00"
	tests := []struct {
		name, row, reason string
	}{
		{"not a number", "n/a, 2023-03-27T09:00:00+01:00, 2023-03-27T09:30:00+01:00", "consumption"},
		{"NaN", "NaN, 2023-03-27T09:00:00+01:00, 2023-03-27T09:30:00+01:00", "consumption"},
		{"empty consumption", ", 2023-03-27T09:00:00+01:00, 2023-03-27T09:30:00+01:00", "consumption"},
		{"bad month", "0.1, 2023-13-27T09:00:00+01:00, 2023-03-27T09:30:00+01:00", "start"},
		{"30 February", "0.1, 2023-02-30T09:00:00Z, 2023-02-30T09:30:00Z", "start"},
		{"not a date", "0.1, yesterday, 2023-03-27T09:30:00+01:00", "start"},
		{"no offset", "0.1, 2023-03-27T09:00:00, 2023-03-27T09:30:00+01:00", "no UTC offset"},
		{"bad offset", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T09:30:00+25:00", "end"},
		{"end equals start", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T08:00:00+00:00", "not after start"},
		{"end before start", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T08:30:00+01:00", "not after start"},
		{"hour long", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T10:00:00+01:00", "is 1h0m0s, want 30m"},
		{"29 minutes", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T09:29:00+01:00", "want 30m"},
		{"too few columns", "0.1, 2023-03-27T09:00:00+01:00", "2 columns, want 3"},
		{"too many columns", "0.1, 2023-03-27T09:00:00+01:00, 2023-03-27T09:30:00+01:00, x", "4 columns, want 3"},
		{"line too long", "0.1, " + strings.Repeat("9", 70000), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, "f.csv", "Consumption (kWh), Start, End\r\n"+good+"\r\n"+tt.row+"\r\n"+good+"\r\n")
			if len(sink.Rows[halfhourly.Table]) != 2 {
				t.Errorf("got %d rows, want 2", len(sink.Rows[halfhourly.Table]))
			}
			if len(sink.Rejections) != 1 {
				t.Fatalf("rejections %+v, want 1", sink.Rejections)
			}
			r := sink.Rejections[0]
			if r.Line != 3 || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("rejection = line %d %q, want line 3 containing %q", r.Line, r.Reason, tt.reason)
			}
			if len(tt.row) < 1000 && r.Raw != tt.row {
				t.Errorf("raw = %q, want %q", r.Raw, tt.row)
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
		{"empty file", "", 0, "no recognisable header"},
		{"blank lines only", "\r\n\n  \n", 0, "no recognisable header"},
		{"no end column", "Consumption (kWh), Start\n0.1, 2023-03-27T09:00:00+01:00\n", 1, "want consumption, start and end"},
		{"no consumption column", "Value, Start, End\n", 1, "want consumption, start and end"},
		{"data where the header should be", base[strings.Index(base, "\n")+1:], 1, "no recognisable header"},
		{"header after blank lines is found", "\n\nfoo,bar\n", 3, "no recognisable header"},
		{"duplicate start column", "Start, Start, End, kWh\n", 1, "both start"},
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
				t.Errorf("emitted %v / %v before the structure error", sink.Rows, sink.Rejections)
			}
		})
	}
}

func TestHeaderOnlyFileIsEmpty(t *testing.T) {
	sink := mustRun(t, "f.csv", "Consumption (kWh), Start, End\r\n")
	if len(sink.Rows[halfhourly.Table]) != 0 || len(sink.Rejections) != 0 {
		t.Errorf("rows %v rejections %v", sink.Rows, sink.Rejections)
	}
}

func TestMatch(t *testing.T) {
	x := halfhourly.New()
	tests := []struct {
		name, head string
		want       bool
	}{
		{"consumption.csv", "Consumption (kWh), Start, End\r\n0.1, 2023", true},
		{"C.CSV", "\xEF\xBB\xBFconsumption,start,end", true},
		{"hh.csv", `"MPAN","Meter Serial","Start","End","Consumption (kWh)"` + "\n", true},
		{"consumption.txt", "Consumption (kWh), Start, End\r\n", false},
		{"consumption", "Consumption (kWh), Start, End\r\n", false},
		{"Meter_Reading.csv", "AccountId,MeterReadingDateTime,MeterReadValue,\r\n", false},
		{"cv.csv", "Applicable At,Applicable For,Data Item,Value\n", false},
		{"cut.csv", "Consumption (kWh), Start, E", false},
		{"f.uff", "ZHV|1|D0010002|", false},
		{"empty.csv", "", false},
	}
	for _, tt := range tests {
		if got := x.Match(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestSinkErrorsAreReturnedUnchanged(t *testing.T) {
	x := halfhourly.New()
	sink := extracttest.NewSink(x.Streams())
	sink.FailAfter = 1
	err := x.ExtractFile(context.Background(), extract.File{Name: "f.csv", LoadID: "L1", Body: strings.NewReader(base)}, sink)
	if err != extracttest.ErrInjected {
		t.Fatalf("error = %v, want the sink's error itself", err)
	}
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := halfhourly.New()
	err := x.ExtractFile(ctx, extract.File{Name: "f.csv", Body: strings.NewReader(base)}, extracttest.NewSink(x.Streams()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
