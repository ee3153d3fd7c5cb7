package d0018_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/cdw-dev/cdw/extractors/d0018"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

// FuzzExtractFile checks that any input ends in rows and rejections or a
// structure error, never a panic or another error; that rows have the
// declared types (the sink checks them); that no more records come out
// than lines went in; and that every row's slots fit its day.
func FuzzExtractFile(f *testing.F) {
	f.Add([]byte(flow(day48...)))
	f.Add([]byte("ZPD|20230326|R1||3\nGSP|_H|1|1|1600|\nPCL|1\nPFL|1\n" + bpp(46) + "\n"))
	f.Add([]byte(flow("ZPD|20231029|SF|D|2|", gsp, pcl, pfl, bpp(50), ssc, vmr, ppc(50))))
	f.Fuzz(func(t *testing.T, in []byte) {
		x := d0018.New()
		sink := extracttest.NewSink(x.Streams())
		err := x.ExtractFile(context.Background(), extract.File{Name: "f.flw", LoadID: "L", Body: bytes.NewReader(in)}, sink)
		if err != nil && !extract.IsStructureError(err) {
			t.Fatalf("error %v is not a structure error", err)
		}
		out := len(sink.Rows[d0018.BasicTable]) + len(sink.Rows[d0018.PeriodTable]) + len(sink.Rejections)
		if records := bytes.Count(in, []byte("\n")) + 1; out > records {
			t.Fatalf("%d rows and rejections from %d lines", out, records)
		}
		for i := range sink.Rows[d0018.BasicTable] {
			r := sink.Record(d0018.BasicTable, i)
			n := r["period_count"].(int64)
			if n != 46 && n != 48 && n != 50 {
				t.Fatalf("period_count %d", n)
			}
		}
	})
}
