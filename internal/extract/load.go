package extract

import (
	"context"
	"fmt"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// rejectionStream is the quarantine table's shape.
var rejectionStream = Stream{Table: RejectionsTable, Columns: []Column{
	{"load_id", Text}, {"extractor", Text}, {"file_name", Text}, {"line_no", Int64},
	{"raw_text", Text}, {"reason", Text}, {"rejected_at", TimestampTZ},
}}

// load runs the extractor over f and streams its first stream straight into
// tx.BulkLoad while it parses: the extractor runs in a goroutine feeding
// fixed-size batches through a pipe, so memory does not grow with the file.
// Rows of any further streams (small side tables) and rejections are
// buffered and loaded afterwards. The count returned is of every stream's
// rows together.
func (r *Runner) load(ctx context.Context, tx warehouse.Conn, e FileExtractor, f File) (int64, []Rejection, error) {
	streams := e.Streams()
	if len(streams) == 0 {
		return 0, nil, fmt.Errorf("extractor %s declares no streams", e.Name())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := newPipe(ctx, streams[0])
	s := &fileSink{pipe: p, streams: map[string]Stream{}, side: map[string][][]any{}}
	for _, st := range streams {
		s.streams[st.Table] = st
	}
	s.primary = streams[0].Table

	done := make(chan error, 1)
	go func() {
		err := e.ExtractFile(ctx, f, s)
		p.close(err)
		done <- err
	}()
	n, loadErr := tx.BulkLoad(ctx, r.rel(streams[0].Table), columnNames(streams[0]), p)
	if loadErr != nil {
		cancel()
		exErr := <-done
		if IsStructureError(exErr) {
			return 0, nil, exErr
		}
		return 0, nil, loadErr
	}
	if err := <-done; err != nil {
		return 0, nil, err
	}
	for _, st := range streams[1:] {
		if rows := s.side[st.Table]; len(rows) > 0 {
			m, err := tx.BulkLoad(ctx, r.rel(st.Table), columnNames(st), &sliceSource{rows: rows})
			if err != nil {
				return 0, nil, err
			}
			n += m
		}
	}
	return n, s.rejects, nil
}

// quarantine loads the rejections of one file into the rejections table.
func (r *Runner) quarantine(ctx context.Context, tx warehouse.Conn, res FileResult, name string, rejects []Rejection) error {
	if len(rejects) == 0 {
		return nil
	}
	at := r.now().UTC()
	rows := make([][]any, len(rejects))
	for i, rj := range rejects {
		rows[i] = []any{res.LoadID, res.Extractor, name, rj.Line, rj.Raw, rj.Reason, at}
	}
	_, err := tx.BulkLoad(ctx, r.rel(RejectionsTable), columnNames(rejectionStream), &sliceSource{rows: rows})
	return err
}

func columnNames(s Stream) []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// fileSink routes an extractor's output: the primary stream into the pipe,
// other streams and rejections into memory. It is a TypedSink for the
// primary stream.
type fileSink struct {
	pipe    *pipe
	primary string
	writer  *RowWriter // the primary stream's, made on first use
	streams map[string]Stream
	side    map[string][][]any
	rejects []Rejection
}

func (s *fileSink) Row(stream string, values []any) error {
	st, ok := s.streams[stream]
	if !ok {
		return fmt.Errorf("extractor emitted a row for undeclared stream %q", stream)
	}
	if len(values) != len(st.Columns) {
		return fmt.Errorf("stream %s: row has %d values, want %d", stream, len(values), len(st.Columns))
	}
	if stream == s.primary {
		return s.pipe.row(values)
	}
	s.side[stream] = append(s.side[stream], append([]any(nil), values...))
	return nil
}

// Writer implements TypedSink: the primary stream's rows go into the pipe
// as typed cells, or boxed for an adapter without a typed path. Other
// streams have no typed path.
func (s *fileSink) Writer(stream string) (*RowWriter, bool) {
	if stream != s.primary {
		return nil, false
	}
	if s.writer == nil {
		s.writer = newRowWriter(s.streams[stream])
		s.writer.emit = s.pipe.write
	}
	return s.writer, true
}

func (s *fileSink) Reject(r Rejection) error {
	s.rejects = append(s.rejects, r)
	return nil
}

// sliceSource is a RowSource over buffered rows.
type sliceSource struct {
	rows [][]any
	i    int
}

func (s *sliceSource) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *sliceSource) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *sliceSource) Err() error             { return nil }
