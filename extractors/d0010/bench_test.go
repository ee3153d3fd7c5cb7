package d0010_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/internal/extract"
	"github.com/cdw-dev/cdw/internal/mpan"
)

// countSink counts what it is given and keeps nothing.
type countSink struct{ rows, rejections int }

func (s *countSink) Row(string, []any) error        { s.rows++; return nil }
func (s *countSink) Reject(extract.Rejection) error { s.rejections++; return nil }

// largeFlow builds a valid flow of `rows` readings: groups of one 026, one
// 028 and two 030 (DY/NT), read dates cycling through a year.
func largeFlow(b *testing.B, rows int) []byte {
	var buf bytes.Buffer
	buf.WriteString("ZHV|B000000001|D0010002|D|TSTM|X|CDWS|20240101090000||||OPER|\n")
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	records := 0
	for g := 0; g < rows/2; g++ {
		core, err := mpan.Make(10+g%14, uint64(g))
		if err != nil {
			b.Fatal(err)
		}
		at := start.AddDate(0, 0, g%365).Format("20060102150405")
		fmt.Fprintf(&buf, "026|%s|V|\n028|B%02dK %05d|C|\n030|DY|%s|%d.0|||T|N|\n030|NT|%s|%d.5|||T|N|\n",
			core, g%100, g%100000, at, 10000+g%90000, at, 2000+g%7000)
		records += 4
	}
	fmt.Fprintf(&buf, "ZPT|B000000001|%d||%d|20240101090500|\n", records, rows/2)
	return buf.Bytes()
}

func BenchmarkExtractFile(b *testing.B) {
	const rows = 1_000_000
	data := largeFlow(b, rows)
	x := d0010.New()
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		sink := &countSink{}
		if err := x.ExtractFile(ctx, extract.File{Name: "big.uff", LoadID: "B", Body: bytes.NewReader(data)}, sink); err != nil {
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
