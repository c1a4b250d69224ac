package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Load calls fn with a reader over length bytes of h starting at offset;
// length 0 means to the end of the file. A range that extends past the end
// of the file fails with an error wrapping backend.ErrShortFile before fn
// is called. An error returned by fn is returned unchanged.
func (l *Local) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	name, err := l.filename(h)
	if err == nil && (length < 0 || offset < 0) {
		err = fmt.Errorf("%w: negative offset %d or length %d", errInvalidHandle, offset, length)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	defer f.Close()

	rd, err := section(f, int64(length), offset)
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	return fn(backend.ContextReader(ctx, rd))
}

// section returns a reader over length bytes of f from offset (0 = to the
// end), or an error wrapping backend.ErrShortFile if f is too short.
func section(f *os.File, length, offset int64) (io.Reader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if length == 0 {
		length = size - offset
	}
	if offset > size || offset+length > size {
		return nil, fmt.Errorf("%w: want %d bytes at offset %d, size %d", backend.ErrShortFile, length, offset, size)
	}
	return io.NewSectionReader(f, offset, length), nil
}

// Stat returns the size of h.
func (l *Local) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	name, err := l.filename(h)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w", h, err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w", h, err)
	}
	if fi.IsDir() {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w: is a directory", h, errInvalidHandle)
	}
	return backend.FileInfo{Name: h.Name, Size: fi.Size()}, nil
}

// Remove deletes h, first making it writable as restic does so that file
// systems honouring the read-only bit allow the unlink.
func (l *Local) Remove(ctx context.Context, h backend.Handle) error {
	name, err := l.filename(h)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	if err := os.Chmod(name, 0o666); err != nil && !errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	return nil
}
