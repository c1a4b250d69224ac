package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var _ backend.Backend = (*SFTP)(nil)
var _ backend.Creator = (*SFTP)(nil)

// errInvalidHandle is wrapped by errors for handles that cannot name a file
// inside the repository.
var errInvalidHandle = errors.New("invalid handle")

// errClosed is returned by operations on a closed backend.
var errClosed = errors.New("sftp backend is closed")

// setupError is a problem of the local SSH setup: an unreadable key or
// known_hosts file, a key with a passphrase and no agent, no home
// directory. It is permanent. It keeps the message of the underlying
// error but does not wrap it, so that a missing key file never reads as a
// missing repository file (fs.ErrNotExist).
type setupError struct{ msg string }

func (e *setupError) Error() string { return e.msg }

func setupErrorf(format string, args ...any) error {
	return &setupError{msg: fmt.Sprintf(format, args...)}
}

// SFTP is a repository on an SSH server. It is safe for concurrent use:
// all operations share one SSH connection, which is re-established by the
// next operation after it breaks.
type SFTP struct {
	cfg  Config
	opts Options

	mu     sync.Mutex
	conn   *conn // nil before the first use after a break
	closed bool
}

// Open connects to the server of cfg and returns the backend for the
// repository in cfg.Path, which need not exist yet (Create makes it).
// It fails if the host key is not in the known_hosts file (an error
// wrapping ErrUnknownHost or ErrHostKeyMismatch, see HostKeyError), if
// the server refuses every key (ErrAuth) or if there is no key (ErrNoKey).
func Open(ctx context.Context, cfg Config, opts Options) (*SFTP, error) {
	if cfg.Host == "" || cfg.Path == "" {
		return nil, fmt.Errorf("open %s: %w: host and path are required", cfg, ErrInvalidLocation)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg, err)
	}
	s := &SFTP{cfg: cfg, opts: opts}
	if _, err := s.client(ctx); err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg, err)
	}
	return s, nil
}

// client returns the current connection, dialing a new one if there is
// none or it broke.
func (s *SFTP) client(ctx context.Context) (*conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if s.conn != nil && !s.conn.broken() {
		return s.conn, nil
	}
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
	c, err := dial(ctx, s.cfg, s.opts)
	if err != nil {
		return nil, err
	}
	s.conn = c
	return c, nil
}

// Location returns the location in restic's syntax; it holds no secret.
func (s *SFTP) Location() string { return s.cfg.String() }

// Connections returns Options.Connections (default 5).
func (s *SFTP) Connections() uint { return s.opts.Connections }

// Close closes the connection. Later operations fail.
func (s *SFTP) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
	return nil
}

// IsNotExist reports whether err means the file does not exist.
func (s *SFTP) IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsPermanentError reports whether retrying cannot help: the file does not
// exist or is shorter than requested, permission is denied, the handle is
// invalid, the host key is not trusted, no key is accepted, the local SSH
// setup is broken (a missing key file, ...), or the backend is closed. A
// lost connection is not permanent: the next operation reconnects.
func (s *SFTP) IsPermanentError(err error) bool {
	var setup *setupError
	if errors.As(err, &setup) {
		return true
	}
	for _, target := range []error{fs.ErrNotExist, fs.ErrPermission, backend.ErrShortFile, errInvalidHandle,
		ErrUnknownHost, ErrHostKeyMismatch, ErrAuth, ErrNoKey, ErrInvalidLocation, errClosed} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// filename returns the server path of h after checking that h names a
// file inside the repository.
func (s *SFTP) filename(h backend.Handle) (string, error) {
	if err := checkHandle(h); err != nil {
		return "", err
	}
	return path.Join(s.cfg.Path, backend.Path(h)), nil
}

func checkHandle(h backend.Handle) error {
	if h.Type < backend.ConfigFile || h.Type > backend.PackFile {
		return fmt.Errorf("%w: unknown file type %d", errInvalidHandle, int(h.Type))
	}
	if h.Type == backend.ConfigFile {
		return nil
	}
	if h.Name == "" || h.Name == "." || h.Name == ".." || strings.ContainsAny(h.Name, `/\`+"\x00") {
		return fmt.Errorf("%w: bad name %q", errInvalidHandle, h.Name)
	}
	return nil
}
