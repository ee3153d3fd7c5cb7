package lines

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/cdw-dev/cdw/internal/extract"
)

// ctxEvery is how many lines pass between context checks.
const ctxEvery = 4096

// Headed drives a parser over a file whose first non-blank line is its
// header and every later non-blank line one record (the CSV extractors).
type Headed struct {
	Extractor, File string // for error messages
	// Header recognises the header line; a non-empty reason means the file
	// is not one this extractor reads (a StructureError: nothing is loaded).
	Header func(line []byte) (reason string)
	// Row handles one data line: not blank and at most MaxLen bytes.
	Row func(n int64, line []byte) error
	// Reject quarantines a line that cannot be read (an extract.Sink's).
	Reject func(extract.Rejection) error
}

// Run reads r to its end. Blank lines are skipped; a data line longer than
// MaxLen is rejected with its first bytes as raw text; a file without a
// header, or whose header is too long or unrecognised, is a
// *extract.StructureError carrying the line.
func (h Headed) Run(ctx context.Context, r *Reader) error {
	header := false
	err := Each(ctx, r, h.Extractor, h.File, func(n int64, line []byte, tooLong bool) error {
		switch {
		case !header:
			if tooLong {
				return &extract.StructureError{Line: n, Reason: fmt.Sprintf("no recognisable header: line longer than %d bytes", MaxLen)}
			}
			if reason := h.Header(line); reason != "" {
				return &extract.StructureError{Line: n, Reason: reason}
			}
			header = true
			return nil
		case tooLong:
			return h.Reject(extract.Rejection{Line: n, Raw: string(line), Reason: fmt.Sprintf("line longer than %d bytes (raw text truncated)", MaxLen)})
		}
		return h.Row(n, line)
	})
	if err == nil && !header {
		return &extract.StructureError{Reason: "no recognisable header: the file has no lines"}
	}
	return err
}

// Each calls fn with every non-blank line of r and its number, until the
// end of r (nil) or fn's first error. tooLong is Reader.Next's. ctx is
// checked every few thousand lines; extractor and file name the errors.
func Each(ctx context.Context, r *Reader, extractor, file string, fn func(n int64, line []byte, tooLong bool) error) error {
	for {
		if r.Line()%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("%s: %s: %w", extractor, file, err)
			}
		}
		line, tooLong, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: reading %s: %w", extractor, file, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(r.Line(), line, tooLong); err != nil {
			return err
		}
	}
}
