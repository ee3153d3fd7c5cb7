package alp_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/alp"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

func run(t *testing.T, text string) (*extracttest.Sink, error) {
	t.Helper()
	x := alp.New()
	sink := extracttest.NewSink(x.Streams())
	err := x.ExtractFile(context.Background(), extract.File{Name: "alp.csv", Path: "in/alp.csv", LoadID: "L1", Body: strings.NewReader(text)}, sink)
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

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestStreamsMatchTheMigration(t *testing.T) {
	want := extracttest.MigrationColumns(t, "00008_raw_alp_daf.sql", alp.Table)
	got := alp.New().Streams()
	if len(got) != 1 || got[0].Table != alp.Table || !reflect.DeepEqual(got[0].Columns, want) {
		t.Errorf("columns differ from the migration:\n got %v\nwant %v", got, want)
	}
}

// The seed system's CSV: ForecastDocumentation is the ALP, Variance the DAF.
func TestSeedSystemLayout(t *testing.T) {
	sink := mustRun(t, "RegionProfile,Date,ForecastDocumentation,Variance\n"+
		"EA:E2301B,01/10/2023,0.7841,-0.0231\n"+
		"ws_E2302B,2/10/2023,1.25,0\n"+
		"NOE2301B,2023-10-03,0,-0.5\n")
	if len(sink.Rejections) != 0 {
		t.Fatalf("rejections: %+v", sink.Rejections)
	}
	want := []map[string]any{
		{"load_id": "L1", "file_name": "alp.csv", "line_no": int64(2), "region_profile": "EA:E2301B", "ldz": "EA", "end_user_category": "E2301B", "gas_day": day(2023, 10, 1), "alp": 0.7841, "daf": -0.0231},
		{"load_id": "L1", "file_name": "alp.csv", "line_no": int64(3), "region_profile": "ws_E2302B", "ldz": "WS", "end_user_category": "E2302B", "gas_day": day(2023, 10, 2), "alp": 1.25, "daf": 0.0},
		{"load_id": "L1", "file_name": "alp.csv", "line_no": int64(4), "region_profile": "NOE2301B", "ldz": "NO", "end_user_category": "E2301B", "gas_day": day(2023, 10, 3), "alp": 0.0, "daf": -0.5},
	}
	for i, w := range want {
		if got := sink.Record(alp.Table, i); !reflect.DeepEqual(got, w) {
			t.Errorf("row %d:\n got %v\nwant %v", i, got, w)
		}
	}
}

func TestNamedColumns(t *testing.T) {
	sink := mustRun(t, "\xEF\xBB\xBF\"Gas Day\",LDZ,\"End User Category\",ALP,DAF,Notes\r\n"+
		"2023-10-01,se,E2301B,0.9, -0.02 ,x\r\n\r\n")
	if len(sink.Rejections) != 0 || len(sink.Rows[alp.Table]) != 1 {
		t.Fatalf("rows %v rejections %+v", sink.Rows, sink.Rejections)
	}
	r := sink.Record(alp.Table, 0)
	if r["region_profile"] != nil || r["ldz"] != "SE" || r["end_user_category"] != "E2301B" || r["daf"] != -0.02 || r["gas_day"] != day(2023, 10, 1) {
		t.Errorf("row = %v", r)
	}
}

func TestRejections(t *testing.T) {
	const head = "RegionProfile,Date,ALP,DAF\n"
	const good = "EA:E2301B,01/10/2023,0.78,-0.02"
	for _, tt := range []struct{ name, row, reason string }{
		{"unknown LDZ", "XX:E2301B,01/10/2023,0.78,-0.02", "LDZ \"XX\" is not one of the 13 LDZs"},
		{"no EUC", "EA,01/10/2023,0.78,-0.02", "end-user category is empty"},
		{"bad date", "EA:E2301B,31/09/2023,0.78,-0.02", "date \"31/09/2023\""},
		{"negative ALP", "EA:E2301B,01/10/2023,-0.78,-0.02", "ALP \"-0.78\" is not a non-negative number"},
		{"ALP not a number", "EA:E2301B,01/10/2023,1e3,-0.02", "ALP \"1e3\""},
		{"DAF empty", "EA:E2301B,01/10/2023,0.78,", "DAF \"\" is not a number"},
		{"columns", "EA:E2301B,01/10/2023,0.78", "3 columns, want 4"},
		{"quoting", "\"EA:E2301B,01/10/2023,0.78,-0.02", "broken quoting"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sink := mustRun(t, head+good+"\n"+tt.row+"\n"+good+"\n")
			if len(sink.Rows[alp.Table]) != 2 || len(sink.Rejections) != 1 {
				t.Fatalf("rows %d rejections %+v", len(sink.Rows[alp.Table]), sink.Rejections)
			}
			if r := sink.Rejections[0]; r.Line != 3 || r.Raw != tt.row || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("rejection = %+v, want line 3 containing %q", r, tt.reason)
			}
		})
	}
}

func TestStructureErrors(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		line       int64
		reason     string
	}{
		{"empty", "", 0, "no recognisable header"},
		{"no DAF", "RegionProfile,Date,ALP\n", 1, "want a region profile"},
		{"LDZ without EUC", "LDZ,Date,ALP,DAF\n", 1, "want a region profile"},
		{"two dates", "RegionProfile,Date,Gas Day,ALP,DAF\n", 1, "both date"},
		{"data first", "EA:E2301B,01/10/2023,0.78,-0.02\n", 1, "no recognisable header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, tt.text)
			var se *extract.StructureError
			if !errors.As(err, &se) || se.Line != tt.line || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("error = %v, want line %d containing %q", err, tt.line, tt.reason)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	x := alp.New()
	for _, tt := range []struct {
		name, head string
		want       bool
	}{
		{"alp.csv", "RegionProfile,Date,ForecastDocumentation,Variance\n", true},
		{"ALP.CSV", "LDZ,EUC,Gas Day,ALP,DAF\n", true},
		{"alp.txt", "RegionProfile,Date,ALP,DAF\n", false},
		{"cv.csv", "Applicable At,Applicable For,Data Item,Value\n", false},
		{"hh.csv", "Consumption (kWh), Start, End\n", false},
	} {
		if got := x.Match(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestSinkErrorsAndCancel(t *testing.T) {
	x := alp.New()
	sink := extracttest.NewSink(x.Streams())
	sink.FailAfter = 1
	text := "RegionProfile,Date,ALP,DAF\nEA:E2301B,01/10/2023,0.78,-0.02\nEA:E2301B,02/10/2023,0.78,-0.02\n"
	if err := x.ExtractFile(context.Background(), extract.File{Name: "a.csv", Body: strings.NewReader(text)}, sink); err != extracttest.ErrInjected {
		t.Errorf("error = %v, want the sink's error itself", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := x.ExtractFile(ctx, extract.File{Name: "a.csv", Body: strings.NewReader(text)}, extracttest.NewSink(x.Streams())); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}
