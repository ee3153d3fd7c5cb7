package nationalgrid_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/extractors/nationalgrid"
	"github.com/cdw-dev/cdw/internal/extract"
)

// FuzzExtractFile checks that any input ends in rows and rejections or a
// structure error, never a panic or another error; that rows have the
// declared types (the sink checks them); that a doubled row is exactly
// halved; and that every CV landed is plausible.
func FuzzExtractFile(f *testing.F) {
	f.Add([]byte(dieHeader + `01/07/2014 10:30:23,1/07/2014,"Calorific Value, LDZ(EA)",39,21/02/2018 10:32:01,` + "\n"))
	f.Add([]byte(",name,applicable_at,applicable_for,value\n" +
		`0,"Calorific Value, LDZ(EA)Calorific Value, LDZ(EA)",2019-07-02T13:10:05Z2019-07-02T13:10:05Z,2019-07-01T00:00:00Z2019-07-01T00:00:00Z,78.84` + "\n"))
	f.Add([]byte("Applicable For,Data Item,Value\r\n\"1/7/2014\",\"Weather \"\"x\"\", (EA)\",-0.5\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		x := nationalgrid.New()
		sink := extracttest.NewSink(x.Streams())
		err := x.ExtractFile(context.Background(), extract.File{Name: "f.csv", LoadID: "L", Body: bytes.NewReader(in)}, sink)
		if err != nil && !extract.IsStructureError(err) {
			t.Fatalf("error %v is not a structure error", err)
		}
		for i := range sink.Rows[nationalgrid.Table] {
			r := sink.Record(nationalgrid.Table, i)
			v, d := r["value"].(float64), r["value_as_delivered"].(float64)
			if r["doubled_at_source"] == true && v*2 != d || r["doubled_at_source"] == false && v != d {
				t.Fatalf("row %v: value and value as delivered disagree", r)
			}
			if r["item"] == nationalgrid.ItemCV && (v < nationalgrid.PlausibleCV[0] || v > nationalgrid.PlausibleCV[1]) {
				t.Fatalf("implausible CV landed: %v", r)
			}
		}
	})
}
