package sftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// fileMode is the mode of saved files: read-only, as restic leaves them.
const fileMode = 0o400

// Save writes rd to h atomically: the data goes to "<name>-tmp-<random>"
// in the target directory (created if missing), is synced if the server
// supports fsync@openssh.com, and is renamed to the final name, replacing
// an existing file. Files are left read-only (0400). On any error the
// temporary file is removed. A reader that yields more or fewer bytes than
// rd.Length() fails with an error wrapping backend.ErrLengthMismatch.
func (s *SFTP) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	name, err := s.filename(h)
	if err == nil {
		err = s.save(ctx, name, rd)
	}
	if err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	return nil
}

func (s *SFTP) save(ctx context.Context, name string, rd backend.RewindReader) (err error) {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	tmp := name + "-tmp-" + randomSuffix()
	f, err := c.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if errors.Is(err, fs.ErrNotExist) {
		if err = mkdirAll(c, path.Dir(name)); err != nil {
			return err
		}
		f, err = c.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = c.sftp.Remove(tmp)
		}
	}()
	// The open handle stays writable: the mode is checked at open time.
	if err = f.Chmod(fileMode); err != nil {
		return err
	}
	// Copy at most one byte more than announced, enough to detect a reader
	// that is longer than it claims without reading it to the end. A
	// LimitedReader also lets the client pipeline the writes.
	want := rd.Length()
	n, err := f.ReadFrom(&io.LimitedReader{R: backend.ContextReader(ctx, rd), N: want + 1})
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%w: wrote %d bytes, reader length %d", backend.ErrLengthMismatch, n, want)
	}
	if c.fsync {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	return rename(c, tmp, name)
}

// rename moves tmp to name, replacing name. Without posix-rename, SFTP's
// rename refuses an existing target, which is then removed first: only the
// config file is ever replaced, and only by migrations.
func rename(c *conn, tmp, name string) error {
	if c.posixRename {
		return c.sftp.PosixRename(tmp, name)
	}
	err := c.sftp.Rename(tmp, name)
	if err == nil {
		return nil
	}
	if _, serr := c.sftp.Lstat(name); serr != nil {
		return err
	}
	if err := c.sftp.Remove(name); err != nil {
		return err
	}
	return c.sftp.Rename(tmp, name)
}

// mkdirAll creates dir and its missing parents with mode 0700.
func mkdirAll(c *conn, dir string) error {
	if fi, err := c.sftp.Stat(dir); err == nil {
		if fi.IsDir() {
			return nil
		}
		return fmt.Errorf("%s is not a directory", dir)
	}
	if parent := path.Dir(dir); parent != dir && parent != "." && parent != "/" {
		if err := mkdirAll(c, parent); err != nil {
			return err
		}
	}
	return mkdir(c, dir)
}

// mkdir creates dir, whose parent exists, with mode 0700. A directory that
// exists already, perhaps made by another writer meanwhile, is left as it
// is.
func mkdir(c *conn, dir string) error {
	if err := c.sftp.Mkdir(dir); err != nil {
		if fi, serr := c.sftp.Stat(dir); serr == nil && fi.IsDir() {
			return nil
		}
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	return c.sftp.Chmod(dir, 0o700)
}

// randomSuffix returns 16 random hex digits for a temporary file name.
func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
