package command

import (
	"fmt"
	"io"
	"os"
)

// stdinCopier copies Spec.Stdin into the command's standard input.
type stdinCopier struct {
	src  io.Reader
	w    *os.File
	done chan struct{}
	err  error // the failure reading src, set before done is closed
}

func newStdinCopier(src io.Reader) (*os.File, *stdinCopier, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	return r, &stdinCopier{src: src, w: w, done: make(chan struct{})}, nil
}

// run copies until src ends, fails, or the command stops reading. When
// reading src fails, it calls kill before closing the pipe, so that the
// command dies before it can take the truncated input for a complete one.
// A failed write means the command closed its input or exited; its exit
// status says whether that was a failure.
func (c *stdinCopier) run(kill func(error)) {
	defer close(c.done)
	r := &readErrReader{r: c.src}
	_, _ = io.Copy(c.w, r)
	if r.err != nil {
		c.err = fmt.Errorf("read input: %w", r.err)
		kill(c.err)
	}
	c.w.Close()
}

// wait waits for run to return and returns the input's failure.
func (c *stdinCopier) wait() error {
	<-c.done
	return c.err
}

// readErrReader records the first error, other than io.EOF, of Read.
type readErrReader struct {
	r   io.Reader
	err error
}

func (r *readErrReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}
