package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// List calls fn for every file of type t whose name is a valid ID. Packs
// are found exactly one directory level below data/; a file placed
// directly in data/ or deeper is not listed. A missing directory lists as
// empty. The config file is never listed.
func (l *Local) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	if err := checkHandle(backend.Handle{Type: t, Name: "x"}); err != nil {
		return fmt.Errorf("list %v: %w", t, err)
	}
	if t == backend.ConfigFile {
		return ctx.Err()
	}
	dir := filepath.Join(l.dir, backend.Dir(t))
	if t != backend.PackFile {
		return listFiles(ctx, dir, fn)
	}
	return walkDir(ctx, dir, func(e fs.DirEntry) error {
		if !e.IsDir() {
			return nil
		}
		return listFiles(ctx, filepath.Join(dir, e.Name()), fn)
	})
}

// listFiles calls fn for every regular file in dir with a valid ID name.
// Files that vanish while listing are skipped.
func listFiles(ctx context.Context, dir string, fn func(backend.FileInfo) error) error {
	return walkDir(ctx, dir, func(e fs.DirEntry) error {
		if !e.Type().IsRegular() || !backend.IsValidName(e.Name()) {
			return nil
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
		return fn(backend.FileInfo{Name: e.Name(), Size: fi.Size()})
	})
}

// walkDir calls fn for each entry of dir, reading the directory in batches
// so that huge directories are not held in memory at once. A missing dir
// calls fn for nothing.
func walkDir(ctx context.Context, dir string, fn func(fs.DirEntry) error) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	defer d.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries, err := d.ReadDir(1024)
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
	}
}
