package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cdw-dev/cdw/internal/testenv"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// typedSource is a warehouse.RowSource that is also a typedRowSource, as
// internal/extract's pipe is: rows are given boxed and served both ways.
type typedSource struct {
	kinds []string
	rows  [][]any
	i     int
	err   error // returned by Err at the end, when set
	null  []bool
	bits  []uint64
	text  [][]byte
}

func newTypedSource(kinds []string, rows ...[]any) *typedSource {
	return &typedSource{kinds: kinds, rows: rows, null: make([]bool, len(kinds)), bits: make([]uint64, len(kinds)), text: make([][]byte, len(kinds))}
}

func (s *typedSource) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *typedSource) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *typedSource) Err() error             { return s.err }
func (s *typedSource) ColumnKinds() []string  { return s.kinds }

func (s *typedSource) TypedRow() ([]bool, []uint64, [][]byte, error) {
	for i, v := range s.rows[s.i-1] {
		s.null[i], s.bits[i], s.text[i] = v == nil, 0, nil
		switch x := v.(type) {
		case string:
			s.text[i] = []byte(x)
		case int64:
			s.bits[i] = uint64(x)
		case float64:
			s.bits[i] = math.Float64bits(x)
		case bool:
			if x {
				s.bits[i] = 1
			}
		case time.Time:
			s.bits[i] = uint64(x.UnixMicro())
		}
	}
	return s.null, s.bits, s.text, nil
}

// readAll drains r with reads of at most chunk bytes.
func readAll(t *testing.T, r io.Reader, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, chunk)
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestBinaryRowsEncodeTheCopyFormatWhateverTheReadSize(t *testing.T) {
	long := strings.Repeat("0123456789", 10_000) // spans many small reads
	kinds := []string{"text", "int64", "int64", "int64", "float64", "bool", "time"}
	codes := []cellCode{cellText, cellInt8, cellInt4, cellInt2, cellFloat8, cellBool, cellTime}
	y2k := time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC)
	rows := [][]any{
		{"a", int64(-2), int64(3), int64(-4), 0.5, true, y2k},
		{nil, nil, nil, nil, nil, nil, nil},
		{long, int64(math.MaxInt64), int64(math.MinInt32), int64(math.MaxInt16), math.Inf(-1), false, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	encode := func(chunk int) []byte {
		src := newTypedSource(kinds, rows...)
		return readAll(t, &binaryRows{src: src, rows: src, codes: codes}, chunk)
	}
	ref := encode(1 << 20)

	// The first row, written out by hand from the format's definition.
	want := []byte(copyHeader)
	want = binary.BigEndian.AppendUint16(want, 7)
	want = append(binary.BigEndian.AppendUint32(want, 1), 'a')
	want = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(want, 8), uint64(math.MaxUint64-1)) // -2
	want = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(want, 4), 3)
	want = binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(want, 2), uint16(0xfffc)) // -4
	want = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(want, 8), math.Float64bits(0.5))
	want = append(binary.BigEndian.AppendUint32(want, 1), 1)
	want = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(want, 8), 1_000_000) // 1 s after 2000-01-01
	// The second row: seven NULLs.
	want = binary.BigEndian.AppendUint16(want, 7)
	for range 7 {
		want = binary.BigEndian.AppendUint32(want, math.MaxUint32)
	}
	if !bytes.HasPrefix(ref, want) {
		t.Fatalf("encoding starts\n%q\nwant\n%q", ref[:min(len(ref), len(want))], want)
	}
	if !bytes.HasSuffix(ref, []byte(copyTrailer)) {
		t.Fatal("no trailer")
	}
	if wantLen := len(want) + 2 + 7*4 + len(long) + 8 + 4 + 2 + 8 + 1 + 8 + len(copyTrailer); len(ref) != wantLen {
		t.Fatalf("%d bytes, want %d", len(ref), wantLen)
	}
	for _, chunk := range []int{1, 7, 19, 4096, 65531} {
		if got := encode(chunk); !bytes.Equal(got, ref) {
			t.Fatalf("reads of %d bytes give a different stream (%d bytes, want %d)", chunk, len(got), len(ref))
		}
	}
}

func TestBinaryRowsRefuseIntegersOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		code cellCode
		v    int64
		want string
	}{
		{cellInt4, math.MaxInt32 + 1, "out of range for integer"},
		{cellInt4, math.MinInt32 - 1, "out of range for integer"},
		{cellInt2, math.MaxInt16 + 1, "out of range for smallint"},
		{cellInt2, math.MinInt16 - 1, "out of range for smallint"},
	} {
		src := newTypedSource([]string{"int64"}, []any{tc.v})
		r := &binaryRows{src: src, rows: src, codes: []cellCode{tc.code}}
		_, err := io.ReadAll(r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d into code %d: err = %v, want %q", tc.v, tc.code, err, tc.want)
		}
	}
}

// allTypes is a table with a column of every type the encoder writes.
const allTypes = `create table public.all_types (
	t text, vc varchar(10), bp char(3), js json, i8 bigint, i4 integer, i2 smallint,
	f8 double precision, b boolean, ts timestamp, tz timestamptz)`

var allColumns = []string{"t", "vc", "bp", "js", "i8", "i4", "i2", "f8", "b", "ts", "tz"}
var allKinds = []string{"text", "text", "text", "text", "int64", "int64", "int64", "float64", "bool", "time", "time"}

func openTest(t *testing.T) *Adapter {
	t.Helper()
	a, err := Open(context.Background(), Options{URL: testenv.PostgresURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Exec(context.Background(), allTypes); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTypedBulkLoadRoundTripsEveryTypeOnThePoolAndInATransaction(t *testing.T) {
	a := openTest(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: "public", Name: "all_types"}
	old := time.Date(1900, 2, 28, 23, 59, 59, 999999000, time.UTC)
	far := time.Date(2262, 4, 11, 23, 47, 16, 854775000, time.UTC)
	rows := [][]any{
		{"", "héllo", "abc", `{"a": [1, 2]}`, int64(math.MinInt64), int64(math.MaxInt32), int64(math.MinInt16), math.NaN(), true, old, far},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{"line\nbreak\ttab", "x", "ab", "null", int64(0), int64(-1), int64(1), math.Inf(1), false, far, old},
	}
	// On the pool: the typed path must be taken, not the generic one.
	n, ok, err := a.conn.copyTyped(ctx, rel, allColumns, newTypedSource(allKinds, rows...))
	if err != nil || !ok || n != 3 {
		t.Fatalf("copyTyped on the pool = %d, %v, %v; want 3 rows by the typed path", n, ok, err)
	}
	// In a transaction, through BulkLoad.
	err = a.InTx(ctx, func(tx warehouse.Conn) error {
		n, err := tx.BulkLoad(ctx, rel, allColumns, newTypedSource(allKinds, rows...))
		if err == nil && n != 3 {
			t.Errorf("BulkLoad in a transaction loaded %d rows", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Query(ctx, "select t, vc, bp, js::text, i8, i4, i2, f8, b, ts, tz from public.all_types", -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 6 {
		t.Fatalf("%d rows, want 6", len(res.Rows))
	}
	for k, got := range res.Rows {
		want := append([]any(nil), rows[k%3]...)
		if k%3 == 2 {
			want[2] = "ab " // char(3) pads
		}
		if k%3 == 0 {
			// NaN never equals itself; check it apart.
			if f, _ := got[7].(float64); !math.IsNaN(f) {
				t.Errorf("row %d: f8 = %v, want NaN", k, got[7])
			}
			got = append([]any(nil), got...)
			got[7], want[7] = nil, nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row %d:\n got %v\nwant %v", k, got, want)
		}
	}
}

func TestTypedBulkLoadUsesTheGenericPathForOtherTypes(t *testing.T) {
	a := openTest(t)
	ctx := context.Background()
	if err := a.Exec(ctx, "create table public.other (n numeric(10,2), d date, f real)"); err != nil {
		t.Fatal(err)
	}
	rel := warehouse.Relation{Schema: "public", Name: "other"}
	day := time.Date(2023, 3, 26, 0, 0, 0, 0, time.UTC)
	cols := []string{"n", "d", "f"}
	kinds := []string{"float64", "time", "float64"}
	if _, ok, err := a.conn.copyTyped(ctx, rel, cols, newTypedSource(kinds, []any{1.5, day, 0.25})); ok || err != nil {
		t.Fatalf("copyTyped took numeric/date/real: ok %v, err %v", ok, err)
	}
	n, err := a.BulkLoad(ctx, rel, cols, newTypedSource(kinds, []any{1.5, day, 0.25}))
	if err != nil || n != 1 {
		t.Fatalf("BulkLoad = %d, %v", n, err)
	}
	res, err := a.Query(ctx, "select n, d, f from public.other", -1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{"1.50", day, 0.25}; !reflect.DeepEqual(res.Rows[0], want) {
		t.Fatalf("row %v, want %v", res.Rows[0], want)
	}
}

func TestTypedBulkLoadFailuresLeaveNoRows(t *testing.T) {
	a := openTest(t)
	ctx := context.Background()
	rel := warehouse.Relation{Schema: "public", Name: "all_types"}
	good := []any{"a", "b", "c", "1", int64(1), int64(1), int64(1), 1.0, true, time.Unix(0, 0).UTC(), time.Unix(0, 0).UTC()}
	tooBig := append([]any(nil), good...)
	tooBig[5] = int64(1) << 40
	sourceErr := errors.New("the extractor gave up")
	failing := newTypedSource(allKinds, good, good)
	failing.err = sourceErr
	for _, tc := range []struct {
		name string
		src  *typedSource
		want func(error) bool
	}{
		{"integer out of range", newTypedSource(allKinds, good, tooBig), func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "out of range for integer")
		}},
		{"source error", failing, func(err error) bool { return errors.Is(err, sourceErr) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.BulkLoad(ctx, rel, allColumns, tc.src)
			if !tc.want(err) {
				t.Fatalf("BulkLoad error = %v", err)
			}
			res, err := a.Query(ctx, "select count(*) from public.all_types", -1)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows[0][0] != int64(0) {
				t.Fatalf("%v rows remain after a failed load", res.Rows[0][0])
			}
			// The pool is still usable.
			if err := a.Exec(ctx, "select 1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
