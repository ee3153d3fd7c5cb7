package d0010_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/cdw-dev/cdw/extractors/d0010"
	"github.com/cdw-dev/cdw/extractors/extracttest"
	"github.com/cdw-dev/cdw/internal/extract"
)

// FuzzExtractFile checks that any input ends in rows and rejections or a
// structure error, never a panic or another error, and that every row has
// the declared column types (the test sink checks them).
func FuzzExtractFile(f *testing.F) {
	valid, err := os.ReadFile("testdata/valid.uff")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(bytes.ReplaceAll(valid, []byte("\n"), []byte("\r\n")))
	f.Add([]byte(flow(g026, g028, ok030, "030|S|2023|x|||T|N|")))
	f.Add([]byte(flow("026|1|V|", g028, ok030)))
	f.Fuzz(func(t *testing.T, in []byte) {
		x := d0010.New()
		sink := extracttest.NewSink(x.Streams())
		err := x.ExtractFile(context.Background(), extract.File{Name: "f.uff", LoadID: "L", Body: bytes.NewReader(in)}, sink)
		if err != nil && !extract.IsStructureError(err) {
			t.Fatalf("error %v is not a structure error", err)
		}
		if records := int64(bytes.Count(in, []byte("\n")) + 1); int64(len(sink.Rows[d0010.Table])+len(sink.Rejections)) > records {
			t.Fatalf("%d rows and %d rejections from %d lines", len(sink.Rows[d0010.Table]), len(sink.Rejections), records)
		}
	})
}
