package halfhourly_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
)

// countSink counts what it is given and keeps nothing.
type countSink struct{ rows, rejections int }

func (s *countSink) Row(string, []any) error        { s.rows++; return nil }
func (s *countSink) Reject(extract.Rejection) error { s.rejections++; return nil }

// largeExport builds an Octopus-shaped export (CRLF, offsets in
// Europe/London time, 20-decimal kWh) of `rows` consecutive intervals.
func largeExport(b *testing.B, rows int) []byte {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("Consumption (kWh), Start, End\r\n")
	t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		e := t.Add(30 * time.Minute)
		fmt.Fprintf(&buf, "0.%03d00000000000000000, %s, %s\r\n", 20+(i*7919)%900,
			t.In(london).Format(time.RFC3339), e.In(london).Format("2006-01-02T15:04:05-07:00"))
		t = e
	}
	return buf.Bytes()
}

func BenchmarkExtractFile(b *testing.B) {
	const rows = 1_000_000
	data := largeExport(b, rows)
	x := halfhourly.New()
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		sink := &countSink{}
		if err := x.ExtractFile(ctx, extract.File{Name: "1900076543210.csv", LoadID: "B", Body: bytes.NewReader(data)}, sink); err != nil {
			b.Fatal(err)
		}
		if sink.rows != rows || sink.rejections != 0 {
			b.Fatalf("rows %d rejections %d", sink.rows, sink.rejections)
		}
		n++
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows*n), "allocs/row")
}
