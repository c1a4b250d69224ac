package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var _ backend.Backend = (*Local)(nil)
var _ backend.Creator = (*Local)(nil)

// errInvalidHandle is wrapped by errors for handles that cannot name a file
// inside the repository (unknown type, empty name, path separators).
var errInvalidHandle = errors.New("invalid handle")

// Local is a repository in a local directory. It is safe for concurrent
// use; it holds no open files between calls.
type Local struct {
	dir      string
	dirMode  fs.FileMode
	fileMode fs.FileMode
}

// Open returns the backend for the repository in dir. The directory need
// not exist yet, so that Create can make it; operations on a missing
// repository fail with errors for which IsNotExist is true.
//
// Open derives the permissions of new files from the config file: if it
// is group-readable, new directories get mode 0770 and new files 0440,
// otherwise 0700 and 0400.
func Open(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("open local repository: empty path")
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("open local repository %s: not a directory", dir)
	}
	l := &Local{dir: dir, dirMode: 0o700, fileMode: 0o600}
	if fi, err := os.Stat(filepath.Join(dir, "config")); err == nil && fi.Mode().Perm()&0o040 != 0 {
		l.dirMode, l.fileMode = 0o770, 0o660
	}
	return l, nil
}

// Location returns the repository directory as given to Open.
func (l *Local) Location() string { return l.dir }

// Connections returns 2: local disks gain little from more parallel I/O.
func (l *Local) Connections() uint { return 2 }

// Close does nothing; Local holds no resources between calls.
func (l *Local) Close() error { return nil }

// IsNotExist reports whether err means the file does not exist.
func (l *Local) IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsPermanentError reports whether retrying cannot help: the file does not
// exist, is shorter than requested, is not accessible, or the handle is
// invalid.
func (l *Local) IsPermanentError(err error) bool {
	return errors.Is(err, fs.ErrNotExist) ||
		errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, backend.ErrShortFile) ||
		errors.Is(err, errInvalidHandle)
}

// filename returns the path of h on disk after checking that h names a
// file inside the repository.
func (l *Local) filename(h backend.Handle) (string, error) {
	if err := checkHandle(h); err != nil {
		return "", err
	}
	return filepath.Join(l.dir, filepath.FromSlash(backend.Path(h))), nil
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
