package extract

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func pipeStream() Stream {
	return Stream{Table: "t", Columns: []Column{
		{"load_id", Text}, {"line_no", Int64}, {"mpxn", Text}, {"start", TimestampTZ}, {"kwh", Float64}, {"ok", Bool},
	}}
}

// drain reads every row of p as a bulk load does (typed: as the binary
// COPY encoder, asking for cells first), counting them.
func drain(p *pipe, out chan<- int, typed bool) {
	if typed {
		p.ColumnKinds()
	}
	n := 0
	for p.Next() {
		var err error
		if typed {
			_, _, _, err = p.TypedRow()
		} else {
			_, err = p.Values()
		}
		if err != nil {
			panic(err)
		}
		n++
	}
	out <- n
}

func TestTypedRowsCrossThePipeWithoutAllocating(t *testing.T) {
	const rows = 100_000
	s := pipeStream()
	p := newPipe(context.Background(), s)
	w := newRowWriter(s)
	w.emit = p.write
	done := make(chan int)
	go drain(p, done, true)
	mpxn := []byte("1900070000005")
	t0 := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	w.String(0, "0190b8a0-0000-7000-8000-000000000001")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range rows {
		w.Int64(1, int64(i))
		w.Text(2, mpxn)
		w.Time(3, t0.Add(time.Duration(i)*30*time.Minute))
		w.Float64(4, float64(i%2500)/1000)
		w.Bool(5, i%2 == 0)
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	p.close(nil)
	n := <-done
	runtime.ReadMemStats(&after)
	if n != rows {
		t.Fatalf("consumer saw %d rows, want %d", n, rows)
	}
	// The three batches and their text arenas are allocated once.
	if allocs := after.Mallocs - before.Mallocs; float64(allocs)/rows > 0.01 {
		t.Fatalf("%d allocations for %d rows: the typed path allocates per row", allocs, rows)
	}
}

func TestWriterRowsAreBoxedByTheProducerForAConsumerWithoutCells(t *testing.T) {
	s := pipeStream()
	p := newPipe(context.Background(), s)
	w := newRowWriter(s)
	w.emit = p.write
	go func() {
		for i := range 3000 {
			w.Int64(1, int64(i))
			w.String(2, "A")
			if err := w.Commit(); err != nil {
				panic(err)
			}
		}
		p.close(nil)
	}()
	var n int64
	for p.Next() { // Next first: this consumer reads values
		if p.out.typed {
			t.Fatal("a consumer that reads values got a typed batch")
		}
		vals, err := p.Values()
		if err != nil {
			t.Fatal(err)
		}
		if vals[1] != n || vals[2] != "A" || vals[0] != nil {
			t.Fatalf("row %d = %v", n, vals)
		}
		n++
	}
	if n != 3000 {
		t.Fatalf("%d rows", n)
	}
}

func TestPipeServesBoxedRowsAsCellsAndTypedRowsAsValues(t *testing.T) {
	s := pipeStream()
	p := newPipe(context.Background(), s)
	w := newRowWriter(s)
	w.emit = p.typedRow
	at := time.Date(2023, 10, 29, 1, 30, 0, 0, time.UTC)
	go func() {
		p.row([]any{"L", int64(1), "A", at, 0.5, true}) // boxed
		w.String(0, "L")
		w.Int64(1, 2)
		w.String(2, "B")
		w.Time(3, at)
		w.Float64(4, 0.25)
		w.Null(5)
		w.Commit()                                       // typed
		p.row([]any{"L", int64(3), nil, at, 1.0, false}) // boxed again
		p.close(nil)
	}()
	var got []string
	for p.Next() {
		vals, err := p.Values()
		if err != nil {
			t.Fatal(err)
		}
		null, bits, text, err := p.TypedRow()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimSpace(strings.Join([]string{
			fmtAny(vals), fmtCells(null, bits, text),
		}, " | ")))
	}
	want := []string{
		"L 1 A 2023-10-29T01:30:00Z 0.5 true | L 1 A 1698543000000000 4602678819172646912 1",
		"L 2 B 2023-10-29T01:30:00Z 0.25 <nil> | L 2 B 1698543000000000 4598175219545276416 NULL",
		"L 3 <nil> 2023-10-29T01:30:00Z 1 false | L 3 NULL 1698543000000000 4607182418800017408 0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPipeRefusesABoxedValueOfTheWrongType(t *testing.T) {
	p := newPipe(context.Background(), pipeStream())
	go func() {
		p.row([]any{"L", "12", "A", nil, 0.5, true})
		p.close(nil)
	}()
	if !p.Next() {
		t.Fatal("no row")
	}
	_, _, _, err := p.TypedRow()
	if err == nil || !strings.Contains(err.Error(), "column 2 (Int64): value of type string") {
		t.Fatalf("TypedRow() error = %v", err)
	}
	for p.Next() {
	}
}

func fmtAny(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if t, ok := v.(time.Time); ok {
			parts[i] = t.Format(time.RFC3339)
			continue
		}
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

func fmtCells(null []bool, bits []uint64, text [][]byte) string {
	parts := make([]string, len(null))
	for i := range null {
		switch {
		case null[i]:
			parts[i] = "NULL"
		case text[i] != nil:
			parts[i] = string(text[i])
		default:
			parts[i] = fmt.Sprint(bits[i])
		}
	}
	return strings.Join(parts, " ")
}
