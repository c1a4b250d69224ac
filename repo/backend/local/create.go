package local

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Create makes the repository directory and the directories restic init
// creates (data/00 .. data/ff, index, keys, locks, snapshots). It fails
// with an error wrapping fs.ErrExist if a config file is already present.
func (l *Local) Create(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg := filepath.Join(l.dir, "config")
	if _, err := os.Lstat(cfg); err == nil {
		return fmt.Errorf("create %s: config %w", l.dir, fs.ErrExist)
	}
	for _, d := range append([]string{"."}, backend.Dirs()...) {
		if err := os.MkdirAll(filepath.Join(l.dir, filepath.FromSlash(d)), l.dirMode); err != nil {
			return fmt.Errorf("create %s: %w", l.dir, err)
		}
	}
	return nil
}
