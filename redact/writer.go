package redact

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// maxLine is how much of a line without a newline a LineWriter holds
// before it writes part of it out.
const maxLine = 64 << 10

// LineWriter is an io.Writer that redacts what is written to it, a line at
// a time, before passing it on, so that a secret split across two Write
// calls is still caught. Get one from [Redactor.Writer]. It is safe for
// concurrent use.
//
// Complete lines are written out as they arrive, except that when a
// registered value contains a newline, enough of the tail is held back
// that an occurrence of it spanning Write calls is still caught. A line
// longer than 64 KiB is written out in pieces, cut so that no registered
// value is split; a key rule ("password=...") cut by such a piece
// boundary is not applied. Close (or Flush) writes out the rest.
type LineWriter struct {
	mu     sync.Mutex
	r      *Redactor
	w      io.Writer
	buf    []byte
	err    error
	closed bool
}

// Writer returns a LineWriter that writes to w what is written to it,
// redacted by r. Close it to write the last, unterminated line; closing
// does not close w.
func (r *Redactor) Writer(w io.Writer) *LineWriter {
	return &LineWriter{r: r, w: w}
}

// Write buffers p and writes out, redacted, every line that is complete.
// After a write to the underlying writer fails, Write returns that error.
func (lw *LineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return 0, io.ErrClosedPipe
	}
	if lw.err != nil {
		return 0, lw.err
	}
	lw.buf = append(lw.buf, p...)
	for {
		end := lw.r.safeEnd(lw.buf, len(lw.buf) >= maxLine)
		if end == 0 {
			return len(p), nil
		}
		if err := lw.emit(end); err != nil {
			return 0, err
		}
	}
}

// Flush writes out everything buffered, redacted, even a partial line.
// Flush where no secret can continue, such as after a process exits.
func (lw *LineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.err != nil {
		return lw.err
	}
	return lw.emit(len(lw.buf))
}

// Close flushes the buffer and makes later writes fail with
// io.ErrClosedPipe. It does not close the underlying writer.
func (lw *LineWriter) Close() error {
	err := lw.Flush()
	lw.mu.Lock()
	lw.closed = true
	lw.mu.Unlock()
	return err
}

// emit writes buf[:end] redacted and drops it from the buffer.
func (lw *LineWriter) emit(end int) error {
	if end == 0 {
		return nil
	}
	out := lw.r.Redact(string(lw.buf[:end]))
	lw.buf = lw.buf[:copy(lw.buf, lw.buf[end:])]
	if _, err := io.WriteString(lw.w, out); err != nil {
		lw.err = err
		return err
	}
	return nil
}

// safeEnd returns how much of buf can be redacted and written out now
// without splitting an occurrence of a registered value, which a later
// write could complete: up to the last newline, holding back enough for
// values that contain a newline. When force is set, a long line is cut
// too, holding back enough for any value. It returns 0 when nothing can
// be written yet.
func (r *Redactor) safeEnd(buf []byte, force bool) int {
	values := r.snapshot()
	hold := 0
	for _, v := range values {
		if force || strings.IndexByte(v.v, '\n') >= 0 {
			hold = max(hold, len(v.v)-1)
		}
	}
	limit := len(buf) - hold
	if limit <= 0 {
		return 0
	}
	end := bytes.LastIndexByte(buf[:limit], '\n') + 1
	if force && end == 0 {
		end = limit
		if i := bytes.LastIndexAny(buf[limit/2:limit], " \t"); i >= 0 {
			end = limit/2 + i + 1
		}
	}
	if end == 0 || hold == 0 {
		return end
	}
	// Move the cut out of any occurrence that straddles it. The cut only
	// moves back, so checking the spans from the last one needs one pass.
	spans := valueSpans(string(buf), values)
	for i := len(spans) - 1; i >= 0; i-- {
		if sp := spans[i]; sp.start < end && end < sp.end {
			end = sp.start
			if !force {
				end = bytes.LastIndexByte(buf[:end], '\n') + 1
			}
		}
	}
	return end
}
