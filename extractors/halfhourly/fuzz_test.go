package halfhourly_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/extractors/halfhourly"
	"github.com/cdw-dev/cdw/internal/extract"
)

// FuzzExtractFile checks that any input ends in rows and rejections or a
// structure error, never a panic or another error, and that every row is a
// 30-minute UTC interval with the declared column types.
func FuzzExtractFile(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte("MPAN,Start,End,kWh\n1900076543210,2023-03-26T00:00:00Z,2023-03-26T00:30:00Z,1\n"))
	f.Add([]byte("Consumption (kWh), Start, End\r\nx, 2023-03-26T00:00:00+0100, 2023-03-26 00:30+01\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		x := halfhourly.New()
		sink := extracttest.NewSink(x.Streams())
		err := x.ExtractFile(context.Background(), extract.File{Name: "f.csv", LoadID: "L", Body: bytes.NewReader(in)}, sink)
		if err != nil && !extract.IsStructureError(err) {
			t.Fatalf("error %v is not a structure error", err)
		}
		for _, r := range sink.Rows[halfhourly.Table] {
			s, e := r[5].(time.Time), r[6].(time.Time)
			if e.Sub(s) != halfhourly.Interval || s.Location() != time.UTC {
				t.Fatalf("row %v is not a 30-minute UTC interval", r)
			}
		}
	})
}
