package rest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Stat returns the size of h: HEAD, Content-Length.
func (b *Backend) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	return b.stat(ctx, "stat", h)
}

// stat is Stat with errors naming op.
func (b *Backend) stat(ctx context.Context, op string, h backend.Handle) (backend.FileInfo, error) {
	u, err := b.fileURL(h)
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("%s %v: %w", op, h, err)
	}
	resp, err := b.do(ctx, op, h.String(), http.MethodHead, u, nil, 0, nil)
	if err != nil {
		return backend.FileInfo{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return backend.FileInfo{}, statusError(op, h.String(), resp)
	}
	if resp.ContentLength < 0 {
		return backend.FileInfo{}, fmt.Errorf("%s %v: the server sent no Content-Length", op, h)
	}
	return backend.FileInfo{Name: h.Name, Size: resp.ContentLength}, nil
}

// Remove deletes h: HEAD, then DELETE. rest-server answers a DELETE of a
// missing file with 200, so the HEAD is what finds a missing file, which
// is a not-exist error as the backend.Backend contract requires. An
// append-only server refuses the DELETE (403) for all but lock files; the
// error says so.
func (b *Backend) Remove(ctx context.Context, h backend.Handle) error {
	u, err := b.fileURL(h)
	if err != nil {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	if _, err := b.stat(ctx, "remove", h); err != nil {
		return err
	}
	resp, err := b.do(ctx, "remove", h.String(), http.MethodDelete, u, nil, 0, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return statusError("remove", h.String(), resp)
	}
	drain(resp.Body)
	return nil
}
