package d0018_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/d0018"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

func run(t *testing.T, text string) (*extracttest.Sink, error) {
	t.Helper()
	x := d0018.New()
	sink := extracttest.NewSink(x.Streams())
	err := x.ExtractFile(context.Background(), extract.File{Name: "f.flw", Path: "in/f.flw", LoadID: "L1", Body: strings.NewReader(text)}, sink)
	return sink, err
}

func mustRun(t *testing.T, text string) *extracttest.Sink {
	t.Helper()
	sink, err := run(t, text)
	if err != nil {
		t.Fatalf("ExtractFile: %v", err)
	}
	return sink
}

// slots writes n BPP slots worth 0.0001 × slot number, then empty slots up
// to 50, with a trailing "|".
func bpp(n int) string {
	var b strings.Builder
	b.WriteString("BPP|")
	for i := 1; i <= d0018.Slots; i++ {
		if i <= n {
			fmt.Fprintf(&b, "%.4f", 0.0001*float64(i))
		}
		b.WriteString("|")
	}
	return b.String()
}

// ppc writes n PPC slots: slots 1..14 off (0, PRSI 0), the rest on with
// 0.0002 each, then empty pairs up to 50.
func ppc(n int) string {
	var b strings.Builder
	b.WriteString("PPC|")
	for i := 1; i <= d0018.Slots; i++ {
		switch {
		case i > n:
			b.WriteString("||")
		case i <= 14:
			b.WriteString("0|0|")
		default:
			b.WriteString("0.0002|1|")
		}
	}
	return b.String()
}

// flow wraps records in a ZHV and a ZPT with the right count.
func flow(records ...string) string {
	return "ZHV|F1|D0018001|X|SVAA|X|SUPP|20231030101500||||OPER|\n" + strings.Join(records, "\n") +
		fmt.Sprintf("\nZPT|F1|%d||1|20231030101500|\n", len(records))
}

var (
	zpd   = "ZPD|20231028|SF|D|2|"
	gsp   = "GSP|_H|12.3|11.8|1745|0.5|"
	pcl   = "PCL|1|"
	pfl   = "PFL|1|"
	ssc   = "SSC|0393|"
	vmr   = "VMR|00001|"
	day48 = []string{zpd, gsp, pcl, pfl, bpp(48), ssc, vmr, ppc(48)}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestStreamsMatchTheMigration(t *testing.T) {
	streams := d0018.New().Streams()
	if len(streams) != 2 || streams[0].Table != d0018.BasicTable || streams[1].Table != d0018.PeriodTable {
		t.Fatalf("Streams() = %v", streams)
	}
	for _, s := range streams {
		want := extracttest.MigrationColumns(t, "00007_raw_d0018_profile_coefficients.sql", s.Table)
		if !reflect.DeepEqual(s.Columns, want) {
			t.Errorf("%s: columns differ from the migration:\n got %v\nwant %v", s.Table, s.Columns, want)
		}
	}
}

func TestFlow(t *testing.T) {
	text := flow(append(day48,
		// The autumn clock change: 50 periods, and a second GSP group.
		"ZPD|20231029|SF|D|2|", "GSP|_A|9|8.5|16:47||", pcl, pfl, bpp(50), ssc, vmr, ppc(50),
		// Profile class 2, two registers under one SSC.
		"PCL|2|", "PFL|1|", bpp(50), "SSC|0151|", "VMR|00043|", ppc(50), "VMR|00210|", ppc(50))...)
	sink := mustRun(t, text)
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	if n, m := len(sink.Rows[d0018.BasicTable]), len(sink.Rows[d0018.PeriodTable]); n != 3 || m != 4 {
		t.Fatalf("%d BPP rows and %d PPC rows, want 3 and 4", n, m)
	}
	b := sink.Record(d0018.BasicTable, 0)
	want := map[string]any{"load_id": "L1", "file_name": "f.flw", "line_no": int64(6), "flow_file_id": "F1",
		"settlement_date": day(2023, 10, 28), "settlement_code": "SF", "run_type": "D", "run_number": int64(2),
		"gsp_group_id": "_H", "noon_temperature_actual": 12.3, "noon_temperature_effective": 11.8, "sunset_time": "1745",
		"sunset_variable": 0.5, "profile_class_id": int64(1), "profile_id": int64(1), "period_count": int64(48)}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("BPP row 0 %s = %v, want %v", k, b[k], v)
		}
	}
	if b["bpp_01"] != 0.0001 || b["bpp_48"] != 0.0048 || b["bpp_49"] != nil || b["bpp_50"] != nil {
		t.Errorf("BPP row 0 slots 1, 48, 49, 50 = %v %v %v %v", b["bpp_01"], b["bpp_48"], b["bpp_49"], b["bpp_50"])
	}
	b = sink.Record(d0018.BasicTable, 1)
	if b["settlement_date"] != day(2023, 10, 29) || b["period_count"] != int64(50) || b["bpp_50"] != 0.005 ||
		b["gsp_group_id"] != "_A" || b["sunset_time"] != "16:47" || b["sunset_variable"] != nil || b["line_no"] != int64(14) {
		t.Errorf("BPP row 1 = %v", b)
	}
	p := sink.Record(d0018.PeriodTable, 0)
	if p["ssc_id"] != "0393" || p["tpr_id"] != "00001" || p["ppc_14"] != 0.0 || p["prsi_14"] != int64(0) ||
		p["ppc_15"] != 0.0002 || p["prsi_15"] != int64(1) || p["ppc_49"] != nil || p["prsi_49"] != nil || p["gsp_group_id"] != "_H" {
		t.Errorf("PPC row 0 = %v", p)
	}
	var tprs []any
	for i := range sink.Rows[d0018.PeriodTable] {
		r := sink.Record(d0018.PeriodTable, i)
		tprs = append(tprs, fmt.Sprint(r["profile_class_id"], "/", r["ssc_id"], "/", r["tpr_id"], "/", r["period_count"]))
	}
	if want := []any{"1/0393/00001/48", "1/0393/00001/50", "2/0151/00043/50", "2/0151/00210/50"}; !reflect.DeepEqual(tprs, want) {
		t.Errorf("PPC contexts = %v, want %v", tprs, want)
	}
}

// Files the seed system reformatted have no ZHV or ZPT, and the 2017 ones
// no trailing "|"; the spring clock change has 46 periods.
func TestWithoutHeaderOrTrailingPipes(t *testing.T) {
	var recs []string
	for _, r := range []string{"ZPD|20230326|R1||3|", gsp, pcl, pfl, bpp(46), ssc, vmr, ppc(46)} {
		recs = append(recs, strings.TrimSuffix(r, "|"))
	}
	sink := mustRun(t, strings.Join(recs, "\r\n")+"\r\n")
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	b := sink.Record(d0018.BasicTable, 0)
	if b["flow_file_id"] != nil || b["run_type"] != nil || b["period_count"] != int64(46) || b["bpp_46"] != 0.0046 || b["bpp_47"] != nil {
		t.Errorf("BPP row = %v", b)
	}
	p := sink.Record(d0018.PeriodTable, 0)
	if p["ppc_46"] != 0.0002 || p["prsi_46"] != int64(1) || p["ppc_47"] != nil {
		t.Errorf("PPC row = %v", p)
	}
}

func TestTolerances(t *testing.T) {
	base := flow(day48...)
	for name, text := range map[string]string{
		"CRLF":        strings.ReplaceAll(base, "\n", "\r\n"),
		"BOM":         "\xEF\xBB\xBF" + base,
		"blank lines": strings.ReplaceAll(base, "\n", "\n\n"),
		"spaces":      strings.ReplaceAll(base, "|", " | "),
		"48 slots only, zero beyond": flow(zpd, gsp, pcl, pfl, strings.TrimSuffix(bpp(48), "||")+"0|", ssc, vmr,
			strings.TrimSuffix(ppc(48), "||||")),
	} {
		t.Run(name, func(t *testing.T) {
			sink := mustRun(t, text)
			if len(sink.Rejections) != 0 {
				t.Fatalf("rejections: %+v", sink.Rejections)
			}
			if len(sink.Rows[d0018.BasicTable]) != 1 || len(sink.Rows[d0018.PeriodTable]) != 1 {
				t.Fatalf("rows = %v", sink.Rows)
			}
			if got := sink.Record(d0018.BasicTable, 0)["bpp_48"]; got != 0.0048 {
				t.Errorf("bpp_48 = %v", got)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	replace := func(i int, rec string) []string {
		out := append([]string(nil), day48...)
		out[i] = rec
		return out
	}
	tests := []struct {
		name    string
		records []string
		// reasons by line (the ZHV is line 1)
		want       map[int64]string
		bpps, ppcs int
	}{
		{"BPP short of the day", replace(4, bpp(46)), map[int64]string{6: "slot 47 is empty: the settlement day 2023-10-28 has 48 periods"}, 0, 1},
		{"BPP slot not a number", replace(4, strings.Replace(bpp(48), "0.0003", "x", 1)), map[int64]string{6: "slot 3 \"x\" is not a number"}, 0, 1},
		{"BPP negative", replace(4, strings.Replace(bpp(48), "0.0003", "-0.0003", 1)), map[int64]string{6: "slot 3 \"-0.0003\" is negative"}, 0, 1},
		{"BPP slot 49 on a 48-period day", replace(4, bpp(49)), map[int64]string{6: "slot 49 holds \"0.0049\" but the settlement day 2023-10-28 has only 48 periods"}, 0, 1},
		{"PPC bad status", replace(7, strings.Replace(ppc(48), "0.0002|1|", "0.0002|Y|", 1)), map[int64]string{9: "slot 15 register status \"Y\" is not 0 or 1"}, 1, 0},
		{"PPC empty coefficient", replace(7, strings.Replace(ppc(48), "0|0|", "|0|", 1)), map[int64]string{9: "slot 1 coefficient is empty"}, 1, 0},
		{"PPC odd field count", replace(7, strings.TrimSuffix(ppc(48), "||||")+"0.1"), map[int64]string{9: "PPC: 97 fields"}, 1, 0},
		{"unknown record", append(append([]string(nil), day48...), "XYZ|1|"), map[int64]string{10: "unknown record type \"XYZ\""}, 1, 1},
		{"bad settlement date", replace(0, "ZPD|20230229|SF|D|2|"), map[int64]string{
			2: "ZPD: settlement date \"20230229\" is not a date", 3: "GSP belongs to the ZPD at line 2, which was rejected",
			4: "PCL belongs to the ZPD", 5: "PFL belongs to the ZPD", 6: "BPP belongs to the ZPD at line 2", 7: "SSC belongs to the ZPD",
			8: "VMR belongs to the ZPD", 9: "PPC belongs to the ZPD at line 2"}, 0, 0},
		{"bad GSP group", replace(1, "GSP|_I|12.3|11.8|1745|0.5|"), map[int64]string{
			3: "GSP group \"_I\" is not one of _A.._P", 4: "PCL belongs to the GSP at line 3", 5: "PFL belongs to the GSP", 6: "BPP belongs to the GSP at line 3",
			7: "SSC belongs to the GSP", 8: "VMR belongs to the GSP", 9: "PPC belongs to the GSP at line 3"}, 0, 0},
		{"bad profile class", replace(2, "PCL|9|"), map[int64]string{4: "profile class \"9\" is not 1..8", 5: "PFL belongs to the PCL at line 4",
			6: "BPP belongs to the PCL", 7: "SSC belongs to the PCL", 8: "VMR belongs to the PCL", 9: "PPC belongs to the PCL"}, 0, 0},
		{"bad SSC keeps the BPP", replace(5, "SSC|03x3|"), map[int64]string{7: "standard settlement configuration \"03x3\"", 8: "VMR belongs to the SSC at line 7", 9: "PPC belongs to the SSC at line 7"}, 1, 0},
		{"BPP with too many slots", replace(4, bpp(50)+"0.1|"), map[int64]string{6: "51 slots, want 48 to 50"}, 0, 1},
		{"bad TPR", replace(6, "VMR|000001|"), map[int64]string{8: "time pattern regime \"000001\"", 9: "PPC belongs to the VMR at line 8"}, 1, 0},
		{"GSP wrong field count", replace(1, "GSP|_H|12.3|"), map[int64]string{3: "GSP: 2 fields, want 5", 4: "belongs to the GSP", 5: "belongs", 6: "belongs", 7: "belongs", 8: "belongs", 9: "belongs"}, 0, 0},
		{"bad temperature", replace(1, "GSP|_H|warm|11.8|1745|0.5|"), map[int64]string{3: "noon temperature actual \"warm\"", 4: "belongs", 5: "belongs", 6: "belongs", 7: "belongs", 8: "belongs", 9: "belongs"}, 0, 0},
		{"bad sunset", replace(1, "GSP|_H|12.3|11.8|2460|0.5|"), map[int64]string{3: "time of sunset \"2460\"", 4: "belongs", 5: "belongs", 6: "belongs", 7: "belongs", 8: "belongs", 9: "belongs"}, 0, 0},
		{"bad run number", replace(0, "ZPD|20231028|SF|D|two|"), map[int64]string{2: "run number \"two\"", 3: "belongs", 4: "belongs", 5: "belongs", 6: "belongs", 7: "belongs", 8: "belongs", 9: "belongs"}, 0, 0},
		{"too long", append(append([]string(nil), day48...), "PPC|"+strings.Repeat("1|", 40000)), map[int64]string{10: "longer than"}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, flow(tt.records...))
			got := map[int64]string{}
			for _, r := range sink.Rejections {
				got[r.Line] = r.Reason
			}
			if len(got) != len(tt.want) {
				t.Errorf("rejections %v, want lines %v", got, tt.want)
			}
			for line, reason := range tt.want {
				if !strings.Contains(got[line], reason) {
					t.Errorf("line %d: reason %q, want it to contain %q", line, got[line], reason)
				}
			}
			if n, m := len(sink.Rows[d0018.BasicTable]), len(sink.Rows[d0018.PeriodTable]); n != tt.bpps || m != tt.ppcs {
				t.Errorf("%d BPP and %d PPC rows, want %d and %d", n, m, tt.bpps, tt.ppcs)
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
		{"empty", "", 0, "no ZHV header or ZPD record"},
		{"other first record", "GSP|_A|1|1|1600|1|\n", 1, "the first record is \"GSP\""},
		{"other flow", "ZHV|F1|D0010002|X|\n", 1, "is not D0018"},
		{"garbled flow", "ZHV|F1|D0018x|X|\n", 1, "not D0018 and three digits"},
		{"no trailer", strings.TrimSuffix(flow(day48...), "ZPT|F1|8||1|20231030101500|\n"), 9, "without a ZPT trailer"},
		{"count off", strings.Replace(flow(day48...), "ZPT|F1|8|", "ZPT|F1|9|", 1), 10, "ZPT record count 9 does not match the 8 records"},
		{"other file id", strings.Replace(flow(day48...), "ZPT|F1|", "ZPT|F2|", 1), 10, "differs from the ZHV's"},
		{"after trailer", flow(day48...) + zpd + "\n", 11, "content after the ZPT trailer at line 10"},
		{"second ZHV", flow(append(append([]string(nil), day48...), "ZHV|F2|D0018001|")...), 10, "second ZHV"},
		{"ZPT without ZHV", strings.Join(day48, "\n") + "\nZPT|F1|8|\n", 9, "without a ZHV"},
		{"GSP before ZPD", flow(gsp), 2, "GSP with no ZPD before it"},
		{"BPP before PFL", flow(zpd, gsp, pcl, bpp(48)), 5, "BPP with no PFL before it"},
		{"PPC before VMR", flow(zpd, gsp, pcl, pfl, ssc, ppc(48)), 7, "PPC with no VMR before it"},
		{"VMR before SSC", flow(zpd, gsp, pcl, pfl, vmr), 6, "VMR with no SSC before it"},
		{"SSC under a new PCL", flow(append(append([]string(nil), day48...), "PCL|2|", ssc, vmr, ppc(48))...), 11, "SSC with no PFL before it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, tt.text)
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

func TestMatch(t *testing.T) {
	x := d0018.New()
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"ZHV|F1|D0018001|X|SVAA|", true},
		{"\xEF\xBB\xBFZHV|F1|D0018001\r\n", true},
		{"ZPD|20231028|SF|D|2|", true},
		{"ZHV|F1|D0010002|X|", false},
		{"ZHV|F1|D00180011|", false},
		{"ZPD|2023102|SF|", false},
		{"GSP|_A|", false},
		{"", false},
	} {
		if got := x.Match("f.flw", []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

func TestSinkErrorsAreReturnedUnchanged(t *testing.T) {
	x := d0018.New()
	sink := extracttest.NewSink(x.Streams())
	sink.FailAfter = 1
	err := x.ExtractFile(context.Background(), extract.File{Name: "f.flw", Body: strings.NewReader(flow(day48...))}, sink)
	if err != extracttest.ErrInjected {
		t.Fatalf("error = %v, want the sink's error itself", err)
	}
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := d0018.New()
	err := x.ExtractFile(ctx, extract.File{Name: "f.flw", Body: strings.NewReader(flow(day48...))}, extracttest.NewSink(x.Streams()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
