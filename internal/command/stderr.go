package command

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// maxTailLine bounds each line kept for ExitError.Stderr.
const maxTailLine = 4 << 10

// stderrReader reads a command's stderr into lines: each is redacted,
// passed to the callback and kept in a tail of the last TailLines lines.
type stderrReader struct {
	f    *os.File
	fn   func(string)
	r    *redact.Redactor
	done chan struct{}
	read atomic.Int64 // bytes read so far, to see progress
	busy atomic.Bool  // handling a line rather than waiting for one

	mu   sync.Mutex
	tail []string
}

func newStderrReader(f *os.File, fn func(string), r *redact.Redactor) *stderrReader {
	return &stderrReader{f: f, fn: fn, r: r, done: make(chan struct{})}
}

// run reads lines until the end of stderr or a read error.
func (e *stderrReader) run() {
	defer close(e.done)
	defer e.f.Close()
	br := bufio.NewReaderSize(e.f, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			e.busy.Store(true)
			e.read.Add(int64(len(line)))
			e.line(line)
			e.busy.Store(false)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

func (e *stderrReader) line(b []byte) {
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	line := e.r.Redact(string(b))
	kept := line
	if len(kept) > maxTailLine {
		kept = strings.ToValidUTF8(kept[:maxTailLine], "") + "..."
	}
	e.mu.Lock()
	if len(e.tail) == TailLines {
		e.tail = append(e.tail[:0], e.tail[1:]...)
	}
	e.tail = append(e.tail, kept)
	e.mu.Unlock()
	if e.fn != nil {
		e.fn(line)
	}
}

// wait waits, after the command has exited, for run to finish. When a
// process the command started still holds stderr open, nothing arrives
// and run would wait for ever: after grace without progress, wait makes
// the pending read fail. A slow callback is progress, not a reason to
// drop lines.
func (e *stderrReader) wait(grace time.Duration) {
	t := time.NewTicker(grace)
	defer t.Stop()
	last := e.read.Load()
	for {
		select {
		case <-e.done:
			return
		case <-t.C:
			if n := e.read.Load(); n == last && !e.busy.Load() {
				_ = e.f.SetReadDeadline(time.Now())
				<-e.done
				return
			} else {
				last = n
			}
		}
	}
}

// lines returns the tail, joined with "\n".
func (e *stderrReader) lines() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.tail, "\n")
}
