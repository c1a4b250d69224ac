package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// get returns the stored content of h.
func (m *Mem) get(ctx context.Context, h backend.Handle) ([]byte, error) {
	k, err := key(h)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	m.mu.RLock()
	data, ok := m.files[k]
	m.mu.RUnlock()
	if !ok {
		return nil, fs.ErrNotExist
	}
	return data, nil
}

// Load calls fn with a reader over length bytes of h starting at offset;
// length 0 means to the end. A range past the end of the file fails with
// an error wrapping backend.ErrShortFile before fn is called. An error
// returned by fn is returned unchanged.
func (m *Mem) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	data, err := m.get(ctx, h)
	if err == nil && (length < 0 || offset < 0) {
		err = fmt.Errorf("%w: negative offset %d or length %d", errInvalidHandle, offset, length)
	}
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	size := int64(len(data))
	end := size
	if length > 0 {
		end = offset + int64(length)
	}
	if offset > size || end > size {
		return fmt.Errorf("load %v: %w: want %d bytes at offset %d, size %d",
			h, backend.ErrShortFile, end-offset, offset, size)
	}
	return fn(bytes.NewReader(data[offset:end]))
}

// Stat returns the size of h.
func (m *Mem) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	data, err := m.get(ctx, h)
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w", h, err)
	}
	return backend.FileInfo{Name: h.Name, Size: int64(len(data))}, nil
}

// List calls fn for every file of type t with a valid ID name. It works on
// a snapshot taken at the start, so fn may call other methods of m.
func (m *Mem) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	if _, err := key(backend.Handle{Type: t, Name: "x"}); err != nil {
		return fmt.Errorf("list %v: %w", t, err)
	}
	var infos []backend.FileInfo
	m.mu.RLock()
	for k, data := range m.files {
		if k.Type == t && backend.IsValidName(k.Name) {
			infos = append(infos, backend.FileInfo{Name: k.Name, Size: int64(len(data))})
		}
	}
	m.mu.RUnlock()
	for _, fi := range infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return ctx.Err()
}
