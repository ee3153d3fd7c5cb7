package secrets

import (
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Mask replaces every redacted secret.
const Mask = "xxxxx"

// MinLength is the shortest value a Redactor registers: masking shorter
// strings would garble ordinary output, so secrets that short are not
// protected by redaction (and should not be used).
const MinLength = 4

// Redactor replaces registered secret values with Mask. The zero value and
// nil are usable (a nil Redactor redacts nothing and ignores Add). It is
// safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor { return &Redactor{} }

// Add registers secret values, together with their URL-escaped forms (as
// they appear inside connection URLs). Values shorter than MinLength are
// ignored.
func (r *Redactor) Add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), url.UserPassword("u", v).String()[2:]} {
			if len(form) >= MinLength && !slices.Contains(r.secrets, form) {
				r.secrets = append(r.secrets, form)
			}
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// Redact returns s with every registered secret replaced by Mask.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// Error returns err with a redacted message, or err itself when there is
// nothing to redact (so errors.Is/As keep working in the common case). A
// redacted error still unwraps to err.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := r.Redact(msg)
	if red == msg {
		return err
	}
	return &redactedError{msg: red, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// maxLen is the length of the longest registered secret.
func (r *Redactor) maxLen() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.secrets) == 0 {
		return 0
	}
	return len(r.secrets[0])
}

// partialTail returns how many trailing bytes of s could be the start of a
// registered secret (and so must wait for more output).
func (r *Redactor) partialTail(s string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	best := 0
	for _, sec := range r.secrets {
		for n := min(len(sec)-1, len(s)); n > best; n-- {
			if strings.HasSuffix(s, sec[:n]) {
				best = n
				break
			}
		}
	}
	return best
}

// Writer returns an io.Writer that redacts what passes through to w. A
// secret split across two Write calls is still caught: trailing bytes that
// could begin a secret are held back until the next Write or Flush. Call
// Flush when done. The Writer is safe for concurrent use.
func (r *Redactor) Writer(w io.Writer) *Writer { return &Writer{r: r, w: w} }

// Writer is a redacting writer; see Redactor.Writer.
type Writer struct {
	r       *Redactor
	w       io.Writer
	mu      sync.Mutex
	pending string
}

// Write redacts and forwards p, holding back a possible secret prefix. It
// reports len(p) written unless w fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.r == nil || w.r.maxLen() == 0 {
		if w.pending != "" {
			if _, err := io.WriteString(w.w, w.pending); err != nil {
				return 0, err
			}
			w.pending = ""
		}
		if _, err := w.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	s := w.r.Redact(w.pending + string(p))
	hold := w.r.partialTail(s)
	w.pending = s[len(s)-hold:]
	if _, err := io.WriteString(w.w, s[:len(s)-hold]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes anything held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == "" {
		return nil
	}
	_, err := io.WriteString(w.w, w.r.Redact(w.pending))
	w.pending = ""
	return err
}
