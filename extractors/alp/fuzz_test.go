package alp_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/cdw-dev/cdw/extractors/alp"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

// FuzzExtractFile checks that any input ends in rows and rejections or a
// structure error, never a panic or another error, that rows have the
// declared types, and that every row names one of the 13 LDZs and a
// non-negative ALP.
func FuzzExtractFile(f *testing.F) {
	f.Add([]byte("RegionProfile,Date,ForecastDocumentation,Variance\nEA:E2301B,01/10/2023,0.78,-0.02\n"))
	f.Add([]byte("LDZ,EUC,Gas Day,ALP,DAF\r\n\"se\",\"E2301B\",2023-10-01,1,0\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		x := alp.New()
		sink := extracttest.NewSink(x.Streams())
		err := x.ExtractFile(context.Background(), extract.File{Name: "a.csv", LoadID: "L", Body: bytes.NewReader(in)}, sink)
		if err != nil && !extract.IsStructureError(err) {
			t.Fatalf("error %v is not a structure error", err)
		}
		for i := range sink.Rows[alp.Table] {
			r := sink.Record(alp.Table, i)
			ok := false
			for _, l := range alp.LDZs {
				ok = ok || r["ldz"] == l
			}
			if !ok || r["alp"].(float64) < 0 {
				t.Fatalf("row %v", r)
			}
		}
	})
}
