package sftp

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// readBuffer is the size of the reads Load issues: large reads are split
// into concurrent SFTP requests, which hides the round-trip time.
const readBuffer = 1 << 20

// Load calls fn with a reader over length bytes of h starting at offset;
// length 0 means to the end of the file. A range that extends past the end
// of the file fails with an error wrapping backend.ErrShortFile before fn
// is called. An error returned by fn is returned unchanged.
func (s *SFTP) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(rd io.Reader) error) error {
	name, err := s.filename(h)
	if err == nil && (length < 0 || offset < 0) {
		err = fmt.Errorf("%w: negative offset %d or length %d", errInvalidHandle, offset, length)
	}
	var c *conn
	if err == nil {
		c, err = s.client(ctx)
	}
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	f, err := c.sftp.Open(name)
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("load %v: %w", h, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("load %v: %w: is a directory", h, errInvalidHandle)
	}
	size, n := fi.Size(), int64(length)
	if n == 0 {
		n = size - offset
	}
	if offset > size || offset+n > size {
		return fmt.Errorf("load %v: %w: want %d bytes at offset %d, size %d", h, backend.ErrShortFile, n, offset, size)
	}
	rd := bufio.NewReaderSize(io.NewSectionReader(f, offset, n), int(min(n, readBuffer))+16)
	return fn(backend.ContextReader(ctx, rd))
}

// Stat returns the size of h.
func (s *SFTP) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	name, err := s.filename(h)
	var c *conn
	if err == nil {
		c, err = s.client(ctx)
	}
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w", h, err)
	}
	fi, err := c.sftp.Stat(name)
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w", h, err)
	}
	if fi.IsDir() {
		return backend.FileInfo{}, fmt.Errorf("stat %v: %w: is a directory", h, errInvalidHandle)
	}
	return backend.FileInfo{Name: h.Name, Size: fi.Size()}, nil
}

// Remove deletes h. Read-only files are removed too: on a POSIX server
// only the directory's permissions matter.
func (s *SFTP) Remove(ctx context.Context, h backend.Handle) error {
	name, err := s.filename(h)
	var c *conn
	if err == nil {
		c, err = s.client(ctx)
	}
	if err == nil {
		err = c.sftp.Remove(name)
	}
	if err != nil {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	return nil
}
