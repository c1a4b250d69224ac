package s3

import (
	"context"
	"errors"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// Stat returns the size of h, with one HEAD request (two if it fails).
func (b *Backend) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	file := backend.Path(h)
	if err := checkHandle(h); err != nil {
		return backend.FileInfo{}, b.wrap("stat", file, err)
	}
	size, err := b.size(ctx, b.key(h))
	if err != nil {
		return backend.FileInfo{}, b.wrap("stat", file, err)
	}
	return backend.FileInfo{Name: h.Name, Size: size}, nil
}

// size returns the size of the object key with a HEAD request. An answer
// to a HEAD request has no body, so a refusal only tells its status:
// 403 for a wrong secret key as for a missing permission, 404 for a
// missing bucket as for a missing key (and, from some servers, for an
// unknown access key). When HEAD fails with a 4xx status, size asks
// again with a one-byte GET, whose answer names the cause, and returns
// that.
func (b *Backend) size(ctx context.Context, key string) (int64, error) {
	info, err := b.client.StatObject(ctx, b.cfg.Bucket, key, minio.StatObjectOptions{})
	if err == nil {
		return info.Size, nil
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.StatusCode < 400 || resp.StatusCode >= 500 {
		return 0, err
	}
	var opts minio.GetObjectOptions
	_ = opts.SetRange(0, 0)
	body, _, hdr, gerr := b.core.GetObject(ctx, b.cfg.Bucket, key, opts)
	if gerr == nil {
		_ = body.Close()
		if _, total, ok := parseContentRange(hdr.Get("Content-Range")); ok {
			return total, nil
		}
		return 0, fmt.Errorf("HEAD failed but GET succeeded without a Content-Range: %w", err)
	}
	var gresp minio.ErrorResponse
	if errors.As(gerr, &gresp) && gresp.Code != "" {
		if gresp.Code == "InvalidRange" {
			return 0, nil // only an empty object cannot serve byte 0
		}
		return 0, gerr
	}
	return 0, err
}
