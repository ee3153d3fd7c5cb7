package d0010_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/testenv"
)

const realFile = "kraken-d0010/DTC5259515123502080915D0010.uff"

func run(t *testing.T, name, text string) (*extracttest.Sink, error) {
	t.Helper()
	x := d0010.New()
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

func wall(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func TestStreamsMatchTheMigration(t *testing.T) {
	want := extracttest.MigrationColumns(t, "00002_raw_d0010_readings.sql", "d0010_readings")
	got := d0010.New().Streams()
	if len(got) != 1 || got[0].Table != d0010.Table {
		t.Fatalf("Streams() = %+v, want one stream %q", got, d0010.Table)
	}
	if !reflect.DeepEqual(got[0].Columns, want) {
		t.Errorf("columns differ from the migration:\n got %v\nwant %v", got[0].Columns, want)
	}
}

func TestRealKrakenFile(t *testing.T) {
	b, err := os.ReadFile(testenv.RealData(t, realFile))
	if err != nil {
		t.Fatal(err)
	}
	x := d0010.New()
	if !x.Match("DTC5259515123502080915D0010.uff", b[:min(len(b), 512)]) {
		t.Fatal("Match refuses the real file")
	}
	sink := mustRun(t, "DTC5259515123502080915D0010.uff", string(b))
	if len(sink.Rejections) != 0 {
		t.Errorf("rejections: %+v", sink.Rejections)
	}
	rows := sink.Rows[d0010.Table]
	if len(rows) != 13 {
		t.Fatalf("got %d rows, want 13", len(rows))
	}
	wantRegs := []any{"S", "TO", "S", "S", "A1", "01", "02", "S", "TO", "01", "DY", "NT", "01"}
	if got := sink.Column(d0010.Table, "register_id"); !reflect.DeepEqual(got, wantRegs) {
		t.Errorf("register ids = %v, want %v", got, wantRegs)
	}
	wantLines := []any{int64(4), int64(7), int64(10), int64(13), int64(16), int64(19), int64(20), int64(23), int64(26), int64(29), int64(32), int64(33), int64(36)}
	if got := sink.Column(d0010.Table, "line_no"); !reflect.DeepEqual(got, wantLines) {
		t.Errorf("line numbers = %v, want %v", got, wantLines)
	}
	mpans := map[any]bool{}
	for i, ok := range sink.Column(d0010.Table, "mpan_check_ok") {
		if ok != true {
			t.Errorf("row %d: mpan_check_ok = %v, want true", i, ok)
		}
		mpans[rows[i][5]] = true
	}
	if len(mpans) != 11 {
		t.Errorf("%d distinct MPANs, want 11", len(mpans))
	}
	base := func(line int64) map[string]any {
		return map[string]any{
			"load_id": "L1", "file_name": "DTC5259515123502080915D0010.uff", "line_no": line,
			"flow_file_id": "0000475656", "flow_created_at": wall(2016, 3, 2, 15, 31, 51),
			"mpan_core": "2200031930792", "mpan_check_ok": true, "validation_status": "V",
			"meter_serial": "S85D24767", "reading_type": "C", "read_at": wall(2016, 3, 1, 0, 0, 0),
			"md_reset_at": nil, "md_reset_count": nil, "reading_flag": "T", "reading_method": "N",
		}
	}
	r1, r2 := base(19), base(20)
	r1["register_id"], r1["reading_value"] = "01", 20231.0
	r2["register_id"], r2["reading_value"] = "02", 64472.0
	for i, want := range map[int]map[string]any{5: r1, 6: r2} {
		if got := sink.Record(d0010.Table, i); !reflect.DeepEqual(got, want) {
			t.Errorf("row %d:\n got %v\nwant %v", i, got, want)
		}
	}
	first := sink.Record(d0010.Table, 0)
	if first["mpan_core"] != "1200023305967" || first["meter_serial"] != "F75A 00802" || first["reading_type"] != "D" || first["reading_value"] != 56311.0 || first["read_at"] != wall(2016, 2, 22, 0, 0, 0) {
		t.Errorf("first row = %v", first)
	}
	last := sink.Record(d0010.Table, 12)
	if last["mpan_core"] != "2000055433806" || last["meter_serial"] != "D13C01717" || last["reading_value"] != 7242.0 {
		t.Errorf("last row = %v", last)
	}
}

// validRows is what testdata/valid.uff holds, keyed by line number.
func validRows() map[int64]map[string]any {
	row := func(line int64, core string, ok bool, status any, serial, typ, reg string, at time.Time, v float64, md, count any, flag, method string) map[string]any {
		return map[string]any{
			"load_id": "L1", "file_name": "valid.uff", "line_no": line,
			"flow_file_id": "CDW0000001", "flow_created_at": wall(2023, 5, 1, 9, 0, 0),
			"mpan_core": core, "mpan_check_ok": ok, "validation_status": status,
			"meter_serial": serial, "reading_type": typ, "register_id": reg, "read_at": at,
			"reading_value": v, "md_reset_at": md, "md_reset_count": count,
			"reading_flag": flag, "reading_method": method,
		}
	}
	return map[int64]map[string]any{
		4:  row(4, "1400012345678", true, "V", "K19A 00001", "C", "S", wall(2023, 4, 28, 0, 0, 0), 12345, nil, nil, "T", "N"),
		6:  row(6, "1400012345678", true, "V", "K19A 00001", "D", "S", wall(2023, 4, 30, 12, 0, 0), 12400.5, nil, nil, "T", "N"),
		9:  row(9, "1900076543210", true, nil, "Z22M04567", "C", "DY", wall(2023, 4, 28, 9, 30, 0), 45000, nil, nil, "T", "N"),
		10: row(10, "1900076543210", true, nil, "Z22M04567", "C", "NT", wall(2023, 4, 28, 9, 30, 0), 9000.25, nil, nil, "F", "R"),
		// Invalid check digit: kept and flagged; outer spaces of the serial trimmed.
		13: row(13, "1400012345670", false, "V", "K19B 00777", "C", "01", wall(2023, 4, 29, 0, 0, 0), 777, wall(2023, 4, 1, 0, 0, 0), int64(2), "T", "R"),
	}
}

func TestTolerances(t *testing.T) {
	b, err := os.ReadFile("testdata/valid.uff")
	if err != nil {
		t.Fatal(err)
	}
	valid := string(b)
	same := func(n int64) int64 { return n }
	mapLines := func(f func(string) string) string {
		ls := strings.Split(strings.TrimSuffix(valid, "\n"), "\n")
		for i := range ls {
			ls[i] = f(ls[i])
		}
		return strings.Join(ls, "\n") + "\n"
	}
	tests := []struct {
		name   string
		text   string
		lineOf func(int64) int64
	}{
		{"as delivered", valid, same},
		{"CRLF", strings.ReplaceAll(valid, "\n", "\r\n"), same},
		{"BOM", "\xEF\xBB\xBF" + valid, same},
		{"BOM and CRLF", "\xEF\xBB\xBF" + strings.ReplaceAll(valid, "\n", "\r\n"), same},
		{"no trailing pipe", mapLines(func(l string) string { return strings.TrimSuffix(l, "|") }), same},
		{"no final newline", strings.TrimSuffix(valid, "\n"), same},
		{"blank and whitespace-only lines", strings.ReplaceAll(valid, "\n", "\n \t\r\n") + "\n\n", func(n int64) int64 { return 2*n - 1 }},
		{"spaces around fields", mapLines(func(l string) string { return strings.ReplaceAll(l, "|", " | ") }), same},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, "valid.uff", tt.text)
			if len(sink.Rejections) != 0 {
				t.Fatalf("rejections: %+v", sink.Rejections)
			}
			want := validRows()
			rows := sink.Rows[d0010.Table]
			if len(rows) != len(want) {
				t.Fatalf("got %d rows, want %d", len(rows), len(want))
			}
			for i := range rows {
				got := sink.Record(d0010.Table, i)
				line := got["line_no"].(int64)
				var orig int64
				for n := range want {
					if tt.lineOf(n) == line {
						orig = n
					}
				}
				w, ok := want[orig]
				if !ok {
					t.Fatalf("row %d has unexpected line %d", i, line)
				}
				w["line_no"] = line
				if !reflect.DeepEqual(got, w) {
					t.Errorf("line %d:\n got %v\nwant %v", line, got, w)
				}
			}
		})
	}
}

// flow wraps body records in a ZHV header and a ZPT trailer whose record
// count is the number of non-blank body lines. The ZHV is line 1.
func flow(body ...string) string {
	n := 0
	for _, l := range body {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return "ZHV|F1|D0010002|D|TSTM|X|CDWS|20230501090000||||OPER|\n" +
		strings.Join(body, "\n") + "\n" +
		"ZPT|F1|" + itoa(n) + "||1|20230501090500|\n"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

const (
	g026  = "026|1400012345678|V|"
	g026b = "026|1900076543210|V|"
	g028  = "028|K19A 00001|C|"
	ok030 = "030|S|20230428000000|12345.0|||T|N|"
)

type rej struct {
	line   int64
	reason string
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name string
		body []string
		rows int
		want []rej
	}{
		{"impossible read date", []string{g026, g028, "030|S|20230231000000|1.0|||T|N|", ok030}, 1, []rej{{4, "J0016"}}},
		{"short read date", []string{g026, g028, "030|S|20230228|1.0|||T|N|", ok030}, 1, []rej{{4, "J0016"}}},
		{"empty read date", []string{g026, g028, "030|S||1.0|||T|N|", ok030}, 1, []rej{{4, "J0016"}}},
		{"hour 24", []string{g026, g028, "030|S|20230228240000|1.0|||T|N|", ok030}, 1, []rej{{4, "J0016"}}},
		{"non-numeric reading", []string{g026, g028, ok030, "030|S|20230428000000|12O45|||T|N|"}, 1, []rej{{5, "J0040"}}},
		{"NaN reading", []string{g026, g028, "030|S|20230428000000|NaN|||T|N|", ok030}, 1, []rej{{4, "J0040"}}},
		{"exponent reading", []string{g026, g028, "030|S|20230428000000|1e5|||T|N|", ok030}, 1, []rej{{4, "J0040"}}},
		{"empty reading", []string{g026, g028, "030|S|20230428000000||||T|N|", ok030}, 1, []rej{{4, "J0040"}}},
		{"empty register id", []string{g026, g028, "030||20230428000000|1|||T|N|", ok030}, 1, []rej{{4, "J0010"}}},
		{"bad MD reset date", []string{g026, g028, "030|S|20230428000000|1|2023|1|T|N|", ok030}, 1, []rej{{4, "J0044"}}},
		{"bad MD reset count", []string{g026, g028, "030|S|20230428000000|1||x|T|N|", ok030}, 1, []rej{{4, "J0045"}}},
		{"030 with too few fields", []string{g026, g028, "030|S|20230428000000|1.0|T|N", ok030}, 1, []rej{{4, "5 fields, want 7"}}},
		{"030 with too many fields", []string{g026, g028, "030|S|20230428000000|1.0|||T|N|X|", ok030}, 1, []rej{{4, "8 fields, want 7"}}},
		{"unknown record type in body", []string{g026, g028, ok030, "031|S|1|", ok030}, 2, []rej{{5, `unknown record type "031"`}}},
		{"garbage line in body", []string{g026, g028, ok030, "hello world", ok030}, 2, []rej{{5, "unknown record type"}}},
		{"026 MPAN not 13 digits poisons its group", []string{"026|140001234567|V|", g028, ok030, ok030, g026b, g028, ok030}, 1,
			[]rej{{2, "J0003"}, {3, "026 at line 2"}, {4, "026 at line 2"}, {5, "026 at line 2"}}},
		{"026 with too few fields", []string{"026|1400012345678", g028, ok030, g026b, g028, ok030}, 1,
			[]rej{{2, "1 fields, want 2"}, {3, "026 at line 2"}, {4, "026 at line 2"}}},
		{"028 empty serial poisons only its readings", []string{g026, "028| |C|", ok030, g028, ok030}, 1,
			[]rej{{3, "J0004"}, {4, "028 at line 3"}}},
		{"028 with too many fields", []string{g026, "028|K1|C|X|", ok030, ok030}, 0,
			[]rej{{3, "3 fields, want 2"}, {4, "028 at line 3"}, {5, "028 at line 3"}}},
		{"line too long", []string{g026, g028, ok030, "030|S|" + strings.Repeat("9", 70000) + "|", ok030}, 2, []rej{{5, "longer than"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, "f.uff", flow(tt.body...))
			if got := len(sink.Rows[d0010.Table]); got != tt.rows {
				t.Errorf("got %d rows, want %d", got, tt.rows)
			}
			if len(sink.Rejections) != len(tt.want) {
				t.Fatalf("got rejections %+v, want %d", sink.Rejections, len(tt.want))
			}
			for i, w := range tt.want {
				r := sink.Rejections[i]
				if r.Line != w.line || !strings.Contains(r.Reason, w.reason) {
					t.Errorf("rejection %d = line %d %q, want line %d containing %q", i, r.Line, r.Reason, w.line, w.reason)
				}
				if wantRaw := tt.body[w.line-2]; len(wantRaw) < 1000 && r.Raw != wantRaw {
					t.Errorf("rejection %d raw = %q, want %q", i, r.Raw, wantRaw)
				}
			}
		})
	}
}

func TestStructureErrors(t *testing.T) {
	zhv := "ZHV|F1|D0010002|D|TSTM|X|CDWS|20230501090000||||OPER|\n"
	tests := []struct {
		name   string
		text   string
		line   int64
		reason string
	}{
		{"empty file", "", 0, "no ZHV"},
		{"only blank lines", "\n \r\n\n", 0, "no ZHV"},
		{"no ZHV", g026 + "\n" + g028 + "\n" + ok030 + "\n", 1, "missing ZHV"},
		{"ZHV after a blank line is still first", "\n" + "026|x|\n", 2, "missing ZHV"},
		{"ZHV too short", "ZHV|F1|D0010002|D|\n", 1, "garbled ZHV"},
		{"ZHV not D0010", strings.Replace(zhv, "D0010002", "D0086001", 1), 1, "is not D0010"},
		{"ZHV flow version garbled", strings.Replace(zhv, "D0010002", "D0010X", 1), 1, "three digits"},
		{"ZHV bad creation time", strings.Replace(zhv, "20230501090000", "2023-05-01", 1), 1, "creation time"},
		{"ZHV empty file id", strings.Replace(zhv, "F1", "", 1), 1, "empty file identifier"},
		{"missing ZPT", zhv + g026 + "\n" + g028 + "\n" + ok030 + "\n", 4, "without a ZPT"},
		{"file cut inside a record", zhv + g026 + "\n" + g028 + "\n030|S|2023", 4, "without a ZPT"},
		{"ZPT record count too high", strings.Replace(flow(g026, g028, ok030), "ZPT|F1|3|", "ZPT|F1|99|", 1), 5, "record count 99"},
		{"ZPT record count too low", strings.Replace(flow(g026, g028, ok030), "ZPT|F1|3|", "ZPT|F1|2|", 1), 5, "record count 2"},
		{"ZPT record count garbled", strings.Replace(flow(g026, g028, ok030), "ZPT|F1|3|", "ZPT|F1|x|", 1), 5, "garbled ZPT"},
		{"ZPT file id differs", strings.Replace(flow(g026, g028, ok030), "ZPT|F1|", "ZPT|F2|", 1), 5, "file identifier"},
		{"030 right after 026", flow(g026, ok030), 3, "030 with no 028"},
		{"030 right after ZHV", flow(ok030), 2, "030 with no 028"},
		{"028 with no 026", flow(g028, ok030), 2, "028 with no 026"},
		{"026 with no 028 before next 026", flow(g026, g026b, g028, ok030), 2, "026 MPAN group has no 028"},
		{"028 with no 030 before next 028", flow(g026, g028, g028, ok030), 3, "028 meter group has no 030"},
		{"028 with no 030 before next 026", flow(g026, g028, g026b, g028, ok030), 3, "028 meter group has no 030"},
		{"028 with no 030 before ZPT", flow(g026, g028, ok030, g028), 5, "028 meter group has no 030"},
		{"026 with no 028 before ZPT", flow(g026, g028, ok030, g026b), 5, "026 MPAN group has no 028"},
		{"content after ZPT", flow(g026, g028, ok030) + ok030 + "\n", 6, "content after the ZPT"},
		{"second ZHV", flow(g026, g028, ok030, strings.TrimSuffix(zhv, "\n")), 5, "second ZHV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, "f.uff", tt.text)
			var se *extract.StructureError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want a *extract.StructureError", err)
			}
			if se.Line != tt.line || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", se.Line, se.Reason, tt.line, tt.reason)
			}
		})
	}
}

func TestEmptyFlowIsValid(t *testing.T) {
	sink := mustRun(t, "f.uff", flow())
	if len(sink.Rows[d0010.Table]) != 0 || len(sink.Rejections) != 0 {
		t.Errorf("rows %v, rejections %v", sink.Rows, sink.Rejections)
	}
}

func TestMatch(t *testing.T) {
	x := d0010.New()
	tests := []struct {
		name, head string
		want       bool
	}{
		{"f.uff", "ZHV|0000475656|D0010002|D|UDMS|X|MRCY|20160302153151||||OPER|\n026|", true},
		{"f.txt", "ZHV|1|D0010001|", true},
		{"noext", "\xEF\xBB\xBFZHV|1|D0010002|D|\r\n", true},
		{"f.usr", "ZHV|1|D0010002", true},
		{"f.uff", "ZHV|1|D0010002\r\n026|", true},
		{"f.uff", "ZHV|1|D0086001|", false},
		{"f.uff", "ZHV|1|D00100021|", false},
		{"f.uff", "ZHV|1|D0010abc|", false},
		{"f.uff", "ZHV|1|D0010", false},
		{"f.uff", "ZHV|D0010002|", false},
		{"f.uff", "zhv|1|D0010002|", false},
		{"f.uff", "026|1200023305967|V|", false},
		{"f.csv", "Consumption (kWh), Start, End\r\n", false},
		{"f.uff", "", false},
	}
	for _, tt := range tests {
		if got := x.Match(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestSinkErrorsAreReturnedUnchanged(t *testing.T) {
	x := d0010.New()
	sink := extracttest.NewSink(x.Streams())
	sink.FailAfter = 2
	b, err := os.ReadFile("testdata/valid.uff")
	if err != nil {
		t.Fatal(err)
	}
	err = x.ExtractFile(context.Background(), extract.File{Name: "valid.uff", LoadID: "L1", Body: strings.NewReader(string(b))}, sink)
	if err != extracttest.ErrInjected {
		t.Fatalf("error = %v, want the sink's error itself", err)
	}
	if len(sink.Rows[d0010.Table]) != 2 {
		t.Errorf("%d rows before the failure, want 2", len(sink.Rows[d0010.Table]))
	}
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := d0010.New()
	sink := extracttest.NewSink(x.Streams())
	err := x.ExtractFile(ctx, extract.File{Name: "f.uff", Body: strings.NewReader(flow(g026, g028, ok030))}, sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
