package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// Load calls fn with a reader over length bytes of h from offset (length
// 0 means to the end), fetched with one ranged GET. A range that extends
// past the end of the object fails with an error wrapping
// backend.ErrShortFile before fn is called; a missing object fails with
// an error for which IsNotExist is true. An error returned by fn is
// returned unchanged.
func (b *Backend) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	file := backend.Path(h)
	err := checkHandle(h)
	if err == nil && (length < 0 || offset < 0) {
		err = fmt.Errorf("%w: negative offset %d or length %d", errInvalidHandle, offset, length)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return b.wrap("load", file, err)
	}
	rd, closeBody, err := b.open(ctx, h, length, offset)
	if err != nil {
		return b.wrap("load", file, err)
	}
	defer closeBody()
	return fn(rd)
}

// open returns a reader over the requested range of h and the function
// that releases the response.
func (b *Backend) open(ctx context.Context, h backend.Handle, length int, offset int64) (io.Reader, func(), error) {
	var opts minio.GetObjectOptions
	switch {
	case length > 0:
		_ = opts.SetRange(offset, offset+int64(length)-1)
	case offset > 0:
		_ = opts.SetRange(offset, 0)
	}
	body, info, hdr, err := b.core.GetObject(ctx, b.cfg.Bucket, b.key(h), opts)
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && (resp.Code == "InvalidRange" || resp.StatusCode == 416) {
			return b.openAtEnd(ctx, h, length, offset)
		}
		return nil, nil, err
	}
	closeBody := func() { _ = body.Close() }
	start, total := int64(0), info.Size
	if cr := hdr.Get("Content-Range"); cr != "" {
		var ok bool
		start, total, ok = parseContentRange(cr)
		if !ok || start != offset {
			closeBody()
			return nil, nil, fmt.Errorf("server answered range %q for offset %d", cr, offset)
		}
	} else if offset > 0 {
		// The server ignored the Range header and sent the whole object.
		if _, err := io.CopyN(io.Discard, body, offset); err != nil {
			closeBody()
			return nil, nil, shortOr(err, fmt.Errorf("%w: offset %d beyond the end", backend.ErrShortFile, offset))
		}
	}
	want := int64(length)
	if length == 0 {
		want = total - offset
	}
	if offset+want > total || want < 0 {
		closeBody()
		return nil, nil, fmt.Errorf("%w: want %d bytes at offset %d, size %d", backend.ErrShortFile, want, offset, total)
	}
	return io.LimitReader(body, want), closeBody, nil
}

// openAtEnd handles a "range not satisfiable" answer: reading nothing at
// exactly the end of the object is fine, anything else is too short.
func (b *Backend) openAtEnd(ctx context.Context, h backend.Handle, length int, offset int64) (io.Reader, func(), error) {
	size, err := b.size(ctx, b.key(h))
	if err != nil {
		return nil, nil, err
	}
	if length == 0 && offset == size {
		return strings.NewReader(""), func() {}, nil
	}
	return nil, nil, fmt.Errorf("%w: want %d bytes at offset %d, size %d", backend.ErrShortFile, length, offset, size)
}

// shortOr returns short for an early end of the body and err otherwise.
func shortOr(err, short error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return short
	}
	return err
}

// parseContentRange parses "bytes start-end/total" and returns start and
// total.
func parseContentRange(s string) (start, total int64, ok bool) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, 0, false
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, false
	}
	first, _, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(first, 10, 64)
	total, err2 := strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || total < 0 {
		return 0, 0, false
	}
	return start, total, true
}
