package rest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Load calls fn with a reader over length bytes of h from offset (length 0
// means to the end): GET with "Range: bytes=OFF-END" (END inclusive) or
// "bytes=OFF-". A range that starts past the end (416) or a shorter answer
// than asked for fails with an error wrapping backend.ErrShortFile before
// fn is called. If the body breaks off, fn's reader returns a transient
// error. An error returned by fn is returned unchanged.
func (b *Backend) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	u, err := b.fileURL(h)
	if err == nil && (length < 0 || offset < 0) {
		err = fmt.Errorf("%w: negative offset %d or length %d", errInvalidHandle, offset, length)
	}
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	resp, err := b.do(ctx, "load", h.String(), http.MethodGet, u, nil, 0, func(hd http.Header) {
		switch {
		case length > 0:
			hd.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-"+strconv.FormatInt(offset+int64(length)-1, 10))
		case offset > 0:
			hd.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		}
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var rd io.Reader = resp.Body
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusRequestedRangeNotSatisfiable:
		serr := statusError("load", h.String(), resp)
		if length == 0 {
			// "bytes=SIZE-" is unsatisfiable, but reading from the very
			// end is valid and yields nothing.
			if fi, err := b.stat(ctx, "load", h); err == nil && fi.Size == offset {
				return fn(bytes.NewReader(nil))
			}
		}
		return serr
	case http.StatusOK:
		// The server ignored the range: skip to offset ourselves.
		if offset > 0 {
			if n, err := io.CopyN(io.Discard, rd, offset); err == io.EOF {
				return fmt.Errorf("load %v: %w: offset %d, size %d", h, backend.ErrShortFile, offset, n)
			} else if err != nil {
				return err
			}
		}
	default:
		return statusError("load", h.String(), resp)
	}
	if length > 0 {
		avail := resp.ContentLength
		if avail >= 0 && resp.StatusCode == http.StatusOK {
			avail -= offset
		}
		if avail >= 0 && avail < int64(length) {
			return fmt.Errorf("load %v: %w: want %d bytes at offset %d, %d available", h, backend.ErrShortFile, length, offset, avail)
		}
		rd = &fullReader{rd: io.LimitReader(rd, int64(length)), remaining: int64(length)}
	}
	if err := fn(rd); err != nil {
		return err
	}
	drain(resp.Body)
	return nil
}

// fullReader reports io.ErrUnexpectedEOF if the body ends before
// remaining bytes.
type fullReader struct {
	rd        io.Reader
	remaining int64
}

func (f *fullReader) Read(p []byte) (int, error) {
	n, err := f.rd.Read(p)
	f.remaining -= int64(n)
	if err == io.EOF && f.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
