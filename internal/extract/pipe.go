package extract

import (
	"context"
	"sync"
)

// batchRows is how many rows travel through the pipe at once; two batches
// are in flight, so memory is bounded by a few thousand rows whatever the
// file size.
const batchRows = 2048

type batch struct {
	vals []any // batchRows × width values
	n    int   // rows filled
}

// pipe connects a producing extractor goroutine to a consuming BulkLoad. The
// producer calls row and close; the consumer uses it as a warehouse.RowSource.
// Batches are recycled, so steady state allocates nothing per batch.
type pipe struct {
	ctx   context.Context
	width int
	full  chan *batch
	free  chan *batch
	cur   *batch // producer's batch being filled
	mu    sync.Mutex
	err   error // producer's error; set once in close, read by Err at any time

	out *batch // consumer's batch being read
	pos int
}

func newPipe(ctx context.Context, width int) *pipe {
	p := &pipe{ctx: ctx, width: width, full: make(chan *batch, 2), free: make(chan *batch, 3)}
	for range 3 {
		p.free <- &batch{vals: make([]any, batchRows*width)}
	}
	return p
}

// row copies values into the current batch, sending it when full.
func (p *pipe) row(values []any) error {
	if p.cur == nil {
		select {
		case p.cur = <-p.free:
			p.cur.n = 0
		case <-p.ctx.Done():
			return p.ctx.Err()
		}
	}
	copy(p.cur.vals[p.cur.n*p.width:], values)
	p.cur.n++
	if p.cur.n == batchRows {
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
	if p.out != nil {
		p.pos++
		if p.pos < p.out.n {
			return true
		}
		clear(p.out.vals)
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
func (p *pipe) Values() ([]any, error) {
	return p.out.vals[p.pos*p.width : (p.pos+1)*p.width], nil
}

// Err implements warehouse.RowSource: the producer's error, once it has
// closed the pipe. Drivers may call it from another goroutine (pgx does).
func (p *pipe) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
