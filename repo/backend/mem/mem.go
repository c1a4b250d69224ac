package mem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var _ backend.Backend = (*Mem)(nil)
var _ backend.Creator = (*Mem)(nil)

// errInvalidHandle is wrapped by errors for handles with an unknown type or
// an empty name.
var errInvalidHandle = errors.New("invalid handle")

// Mem keeps a repository's files in a map. It is safe for concurrent use.
// Stored data is never modified in place, so readers handed to Load stay
// consistent even if the file is replaced or removed meanwhile.
type Mem struct {
	mu    sync.RWMutex
	files map[backend.Handle][]byte
}

// New returns an empty in-memory backend.
func New() *Mem { return &Mem{files: make(map[backend.Handle][]byte)} }

// key normalises h: the config file has no name.
func key(h backend.Handle) (backend.Handle, error) {
	if h.Type < backend.ConfigFile || h.Type > backend.PackFile {
		return h, fmt.Errorf("%w: unknown file type %d", errInvalidHandle, int(h.Type))
	}
	if h.Type == backend.ConfigFile {
		return backend.Handle{Type: backend.ConfigFile}, nil
	}
	if h.Name == "" {
		return h, fmt.Errorf("%w: empty name", errInvalidHandle)
	}
	return h, nil
}

// Location returns "mem:".
func (m *Mem) Location() string { return "mem:" }

// Connections returns 10.
func (m *Mem) Connections() uint { return 10 }

// Close does nothing; the files stay available.
func (m *Mem) Close() error { return nil }

// Create does nothing: an empty Mem is already a valid location.
func (m *Mem) Create(ctx context.Context) error { return ctx.Err() }

// IsNotExist reports whether err means the file does not exist.
func (m *Mem) IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsPermanentError reports whether retrying cannot help: the file does not
// exist, is shorter than requested, or the handle is invalid.
func (m *Mem) IsPermanentError(err error) bool {
	return errors.Is(err, fs.ErrNotExist) ||
		errors.Is(err, backend.ErrShortFile) ||
		errors.Is(err, errInvalidHandle)
}

// Save stores a copy of rd's content under h, replacing any file of that
// name. Nothing is stored if rd fails, ctx is done or rd yields a different
// number of bytes than rd.Length() (an error wrapping
// backend.ErrLengthMismatch).
func (m *Mem) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	k, err := key(h)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	want := rd.Length()
	var buf bytes.Buffer
	if want >= 0 && want < 1<<30 {
		buf.Grow(int(want))
	}
	n, err := io.Copy(&buf, io.LimitReader(rd, want+1))
	if err == nil && n != want {
		err = fmt.Errorf("%w: read %d bytes, reader length %d", backend.ErrLengthMismatch, n, want)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	m.mu.Lock()
	m.files[k] = buf.Bytes()
	m.mu.Unlock()
	return nil
}

// Remove deletes h.
func (m *Mem) Remove(ctx context.Context, h backend.Handle) error {
	k, err := key(h)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("remove %v: %w", h, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[k]; !ok {
		return fmt.Errorf("remove %v: %w", h, fs.ErrNotExist)
	}
	delete(m.files, k)
	return nil
}
