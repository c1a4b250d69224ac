package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Save writes rd to h atomically: the data goes to "<name>-tmp-<random>"
// in the target directory (created if missing), is synced and renamed to
// the final name, which replaces an existing file of that name. The file
// is then made read-only. On any error the temporary file is removed.
// A reader that yields more or fewer bytes than rd.Length() fails with an
// error wrapping backend.ErrLengthMismatch.
func (l *Local) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	name, err := l.filename(h)
	if err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	if err := l.save(ctx, name, rd); err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	return nil
}

func (l *Local) save(ctx context.Context, name string, rd backend.RewindReader) (err error) {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, filepath.Base(name)+"-tmp-")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, l.dirMode); err != nil {
			return err
		}
		f, err = os.CreateTemp(dir, filepath.Base(name)+"-tmp-")
	}
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()

	if l.fileMode != 0o600 {
		if err = f.Chmod(l.fileMode); err != nil {
			return err
		}
	}
	// Copy at most one byte more than announced, enough to detect a reader
	// that is longer than it claims without reading it to the end.
	want := rd.Length()
	n, err := io.Copy(f, io.LimitReader(backend.ContextReader(ctx, rd), want+1))
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%w: wrote %d bytes, reader length %d", backend.ErrLengthMismatch, n, want)
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp, name); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return os.Chmod(name, l.fileMode&^0o222)
}

// syncDir makes a rename in dir durable. File systems that cannot sync
// directories are tolerated, as are platforms that cannot open them.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
