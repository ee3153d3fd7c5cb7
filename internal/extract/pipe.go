package extract

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

const (
	// batchRows is how many rows travel through the pipe at once; three
	// batches exist, so memory is bounded by a few thousand rows whatever
	// the file size.
	batchRows = 2048
	// batchTextMax sends a typed batch early once its texts hold this many
	// bytes, so very long values cannot grow a batch without bound.
	batchTextMax = 4 << 20
)

// batch is a group of rows, either boxed ([]any, from Sink.Row) or typed
// (cells, from a RowWriter).
type batch struct {
	n     int // rows filled
	typed bool
	vals  []any    // boxed: batchRows × width values
	null  []bool   // typed: batchRows × width cells
	bits  []uint64 // as RowWriter.bits
	text  [][]byte // slices of arena
	arena []byte
}

// pipe connects a producing extractor goroutine to a consuming BulkLoad. The
// producer calls row, write and close; the consumer uses it as a
// warehouse.RowSource. A consumer with a typed bulk path (PostgreSQL's
// binary COPY) calls ColumnKinds before its first Next and then reads
// TypedRow, so rows from a RowWriter reach the wire without being boxed;
// for any other consumer the producer boxes them (in its own goroutine, so
// the work stays off the consumer's path). Batches are recycled, so steady
// state allocates nothing per batch.
type pipe struct {
	ctx   context.Context
	kinds []Type
	width int
	full  chan *batch
	free  chan *batch
	cur   *batch // producer's batch being filled
	mu    sync.Mutex
	err   error // producer's error; set once in close, read by Err at any time

	// The consumer's first call decides how RowWriter rows travel:
	// ColumnKinds first means typed cells, Next first means boxed values.
	decide   sync.Once
	decided  chan struct{} // closed once typedOut is set
	typedOut bool
	known    bool   // producer: has seen the decision
	pboxes   *boxer // producer: boxes RowWriter rows for a boxed consumer
	pvals    []any

	out *batch // consumer's batch being read
	pos int
	// consumer's scratch for converting a row to the other representation
	boxes   *boxer
	vals    []any
	null    []bool
	bits    []uint64
	text    [][]byte
	scratch []byte
}

func newPipe(ctx context.Context, s Stream) *pipe {
	p := &pipe{ctx: ctx, width: len(s.Columns), full: make(chan *batch, 2), free: make(chan *batch, 3), decided: make(chan struct{})}
	for _, c := range s.Columns {
		p.kinds = append(p.kinds, c.Type)
	}
	for range 3 {
		p.free <- &batch{}
	}
	return p
}

// take returns the producer's batch for a row of the given representation,
// sending the current batch first if it holds rows of the other one.
func (p *pipe) take(typed bool) (*batch, error) {
	if p.cur != nil && p.cur.typed != typed && p.cur.n > 0 {
		if err := p.send(); err != nil {
			return nil, err
		}
	}
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
			p.cur.n = 0
			p.cur.arena = p.cur.arena[:0]
		case <-p.ctx.Done():
			return nil, p.ctx.Err()
		}
	}
	b := p.cur
	b.typed = typed
	if typed && b.null == nil {
		b.null = make([]bool, batchRows*p.width)
		b.bits = make([]uint64, batchRows*p.width)
		b.text = make([][]byte, batchRows*p.width)
	}
	if !typed && b.vals == nil {
		b.vals = make([]any, batchRows*p.width)
	}
	return b, nil
}

// row copies boxed values into the current batch, sending it when full.
func (p *pipe) row(values []any) error {
	b, err := p.take(false)
	if err != nil {
		return err
	}
	copy(b.vals[b.n*p.width:], values)
	b.n++
	if b.n == batchRows {
		return p.send()
	}
	return nil
}

// setMode records the consumer's choice once.
func (p *pipe) setMode(typed bool) {
	p.decide.Do(func() {
		p.typedOut = typed
		close(p.decided)
	})
}

// write emits w's current row the way the consumer reads: as typed cells,
// or boxed here in the producer. The first call waits for the consumer's
// choice.
func (p *pipe) write(w *RowWriter) error {
	if !p.known {
		select {
		case <-p.decided:
		case <-p.ctx.Done():
			return p.ctx.Err()
		}
		p.known = true
		if !p.typedOut {
			p.pboxes, p.pvals = newBoxer(p.kinds), make([]any, p.width)
		}
	}
	if p.typedOut {
		return p.typedRow(w)
	}
	p.pboxes.box(p.pvals, w.null, w.bits, w.text)
	return p.row(p.pvals)
}

// typedRow copies w's current row into the current batch, sending it when
// full.
func (p *pipe) typedRow(w *RowWriter) error {
	b, err := p.take(true)
	if err != nil {
		return err
	}
	base := b.n * p.width
	copy(b.null[base:base+p.width], w.null)
	copy(b.bits[base:base+p.width], w.bits)
	for i, k := range p.kinds {
		if k != Text || w.null[i] {
			b.text[base+i] = nil
			continue
		}
		start := len(b.arena)
		b.arena = append(b.arena, w.text[i]...)
		b.text[base+i] = b.arena[start:len(b.arena):len(b.arena)]
	}
	b.n++
	if b.n == batchRows || len(b.arena) >= batchTextMax {
		return p.send()
	}
	return nil
}

func (p *pipe) send() error {
	select {
	case p.full <- p.cur:
		p.cur = nil
		return nil
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
}

// close flushes the last batch and ends the stream with the producer's error.
func (p *pipe) close(err error) {
	if err == nil && p.cur != nil && p.cur.n > 0 {
		err = p.send()
	}
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	close(p.full)
}

// Next implements warehouse.RowSource.
func (p *pipe) Next() bool {
	p.setMode(false) // no effect once ColumnKinds has chosen typed cells
	if p.out != nil {
		p.pos++
		if p.pos < p.out.n {
			return true
		}
		if !p.out.typed {
			clear(p.out.vals) // let the boxed values go
		}
		p.free <- p.out
		p.out = nil
	}
	b, ok := <-p.full
	if !ok {
		return false
	}
	p.out, p.pos = b, 0
	return b.n > 0 || p.Next()
}

// Values implements warehouse.RowSource; the slice is valid until Next.
// Typed rows (when a consumer asked for cells but reads values after all)
// are boxed here; repeated values reuse their boxes.
func (p *pipe) Values() ([]any, error) {
	lo, hi := p.pos*p.width, (p.pos+1)*p.width
	if !p.out.typed {
		return p.out.vals[lo:hi], nil
	}
	if p.boxes == nil {
		p.boxes = newBoxer(p.kinds)
		p.vals = make([]any, p.width)
	}
	p.boxes.box(p.vals, p.out.null[lo:hi], p.out.bits[lo:hi], p.out.text[lo:hi])
	return p.vals, nil
}

// ColumnKinds names the kind of each column's cells for adapters that read
// TypedRow: "text", "int64", "float64", "bool" or "time". Called before
// the first Next, it asks for RowWriter rows as typed cells.
func (p *pipe) ColumnKinds() []string {
	p.setMode(true)
	out := make([]string, len(p.kinds))
	for i, k := range p.kinds {
		out[i] = k.kind()
	}
	return out
}

// TypedRow returns the current row as cells, valid until Next: whether
// each column is NULL, its bits (int64 as is, float64 as math.Float64bits,
// bool as 0 or 1, time as UTC unix microseconds) and a text's bytes.
// Rows given to Sink.Row are converted; a value of the wrong Go type for
// its column is an error.
func (p *pipe) TypedRow() (null []bool, bits []uint64, text [][]byte, err error) {
	lo, hi := p.pos*p.width, (p.pos+1)*p.width
	if p.out.typed {
		return p.out.null[lo:hi], p.out.bits[lo:hi], p.out.text[lo:hi], nil
	}
	if p.null == nil {
		p.null = make([]bool, p.width)
		p.bits = make([]uint64, p.width)
		p.text = make([][]byte, p.width)
	}
	if err := p.convert(p.out.vals[lo:hi]); err != nil {
		return nil, nil, nil, err
	}
	return p.null, p.bits, p.text, nil
}

// convert fills the consumer's scratch cells from one boxed row.
func (p *pipe) convert(vals []any) error {
	p.scratch = p.scratch[:0]
	for i, v := range vals {
		p.null[i], p.bits[i], p.text[i] = v == nil, 0, nil
		if v == nil {
			continue
		}
		ok := true
		switch p.kinds[i] {
		case Text:
			switch x := v.(type) {
			case string:
				p.scratch = append(p.scratch, x...)
			case []byte:
				p.scratch = append(p.scratch, x...)
			default:
				ok = false
			}
		case Int64:
			switch x := v.(type) {
			case int64:
				p.bits[i] = uint64(x)
			case int:
				p.bits[i] = uint64(int64(x))
			case int32:
				p.bits[i] = uint64(int64(x))
			default:
				ok = false
			}
		case Float64:
			switch x := v.(type) {
			case float64:
				p.bits[i] = math.Float64bits(x)
			case float32:
				p.bits[i] = math.Float64bits(float64(x))
			default:
				ok = false
			}
		case Bool:
			x, isBool := v.(bool)
			ok = isBool
			if x {
				p.bits[i] = 1
			}
		case Timestamp, TimestampTZ:
			x, isTime := v.(time.Time)
			ok = isTime
			p.bits[i] = uint64(x.UnixMicro())
		}
		if !ok {
			return fmt.Errorf("column %d (%s): value of type %T", i+1, p.kinds[i], v)
		}
	}
	// Slice the texts only now: scratch may have moved while growing.
	off := 0
	for i, v := range vals {
		var n int
		switch x := v.(type) {
		case string:
			n = len(x)
		case []byte:
			n = len(x)
		default:
			continue
		}
		if p.kinds[i] == Text {
			p.text[i] = p.scratch[off : off+n : off+n]
			off += n
		}
	}
	return nil
}

// Err implements warehouse.RowSource: the producer's error, once it has
// closed the pipe. Drivers may call it from another goroutine (pgx does).
func (p *pipe) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
