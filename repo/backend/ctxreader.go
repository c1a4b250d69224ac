package backend

import (
	"context"
	"io"
)

// ContextReader returns a reader of r that fails with ctx's error once
// ctx is done, so a long copy from or to a backend stops when cancelled.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return ctxReader{ctx: ctx, r: r}
}

// ctxReader is the reader of ContextReader.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from r unless ctx is done.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
