// Package lines splits a byte stream into lines for the file extractors,
// without reading the stream whole and without allocating per line.
package lines

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxLen is the longest line returned whole. Longer lines are reported as
// too long and truncated (see Reader.Next); no supported format comes near.
const MaxLen = 64 << 10

// keepLong is how much of a too-long line is kept for the rejection's raw text.
const keepLong = 1 << 10

var bom = []byte("\xEF\xBB\xBF")

// Reader yields the lines of a stream. "\n" and "\r\n" both end a line; a
// final line without a terminator is still a line; a UTF-8 byte order mark
// at the very start is dropped. A Reader is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	n       int64
	scratch []byte
}

// NewReader returns a Reader over r with a reusable MaxLen buffer.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, MaxLen)}
}

// Next returns the next line without its terminator. The slice aliases an
// internal buffer and is valid only until the next call. tooLong reports a
// line longer than MaxLen; the slice then holds only its first bytes (the
// rest is skipped). At the end of the stream Next returns io.EOF; any other
// error is the underlying reader's, returned as is.
func (r *Reader) Next() (line []byte, tooLong bool, err error) {
	line, err = r.br.ReadSlice('\n')
	switch {
	case err == nil:
	case errors.Is(err, bufio.ErrBufferFull):
		r.scratch = append(r.scratch[:0], line[:keepLong]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		r.n++
		return r.scratch, true, nil
	case err == io.EOF:
		if len(line) == 0 {
			return nil, false, io.EOF
		}
	default:
		return nil, false, err
	}
	r.n++
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if r.n == 1 {
		line = bytes.TrimPrefix(line, bom)
	}
	return line, false, nil
}

// Line is the 1-based number of the line last returned by Next (0 before
// the first call).
func (r *Reader) Line() int64 { return r.n }

// TrimBOM returns b without a leading UTF-8 byte order mark.
func TrimBOM(b []byte) []byte { return bytes.TrimPrefix(b, bom) }

// FirstLine returns b up to its first "\n" (without "\r\n"), after TrimBOM.
// It suits Match functions that look at a file's head.
func FirstLine(b []byte) []byte {
	b = TrimBOM(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSuffix(b, []byte{'\r'})
}
