package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// List calls fn for every file of type t whose name is a valid ID. Packs
// are found exactly one directory level below data/; a file placed
// directly in data/ or deeper is not listed. A missing directory lists as
// empty. The config file is never listed.
func (s *SFTP) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	if err := checkHandle(backend.Handle{Type: t, Name: "x"}); err != nil {
		return fmt.Errorf("list %v: %w", t, err)
	}
	if t == backend.ConfigFile {
		return ctx.Err()
	}
	c, err := s.client(ctx)
	if err != nil {
		return fmt.Errorf("list %v: %w", t, err)
	}
	dir := path.Join(s.cfg.Path, backend.Dir(t))
	if t != backend.PackFile {
		return listFiles(ctx, c, dir, fn)
	}
	entries, err := readDir(ctx, c, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			if err := listFiles(ctx, c, path.Join(dir, e.Name()), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// listFiles calls fn for every regular file in dir with a valid ID name.
func listFiles(ctx context.Context, c *conn, dir string, fn func(backend.FileInfo) error) error {
	entries, err := readDir(ctx, c, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !e.Mode().IsRegular() || !backend.IsValidName(e.Name()) {
			continue
		}
		if err := fn(backend.FileInfo{Name: e.Name(), Size: e.Size()}); err != nil {
			return err
		}
	}
	return nil
}

// readDir returns the entries of dir, none if it does not exist.
func readDir(ctx context.Context, c *conn, dir string) ([]fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := c.sftp.ReadDirContext(ctx, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ctx.Err()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return entries, nil
}
