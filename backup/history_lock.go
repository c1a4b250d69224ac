package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// lockHistory takes the history's lock in dir, exclusive for writers,
// shared for readers, waiting for it as long as it takes (writers hold it
// for one append and one mirror). The returned function releases it.
// Writers create dir; a reader that cannot create the lock file (dir
// missing or read-only) reads without the lock.
func lockHistory(dir string, exclusive bool) (release func(), err error) {
	if exclusive {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("lock the history: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, historyLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if !exclusive && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)) {
			return func() {}, nil
		}
		return nil, fmt.Errorf("lock the history: %w", err)
	}
	if err := flock(f, exclusive); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the history: %w", err)
	}
	return func() { f.Close() }, nil
}
