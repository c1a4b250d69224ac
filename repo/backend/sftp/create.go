package sftp

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// createWorkers is how many directories Create makes at once: SFTP
// requests are pipelined, so the 261 directories cost a few round trips
// instead of hundreds.
const createWorkers = 32

// Create makes the repository directory and the directories restic init
// creates (data/00 .. data/ff, index, keys, locks, snapshots), with mode
// 0700. It fails with an error wrapping fs.ErrExist if a config file is
// already present.
func (s *SFTP) Create(ctx context.Context) error {
	c, err := s.client(ctx)
	if err == nil {
		err = s.create(ctx, c)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", s.cfg, err)
	}
	return nil
}

func (s *SFTP) create(ctx context.Context, c *conn) error {
	if _, err := c.sftp.Lstat(path.Join(s.cfg.Path, "config")); err == nil {
		return fmt.Errorf("config %w", fs.ErrExist)
	}
	if err := mkdirAll(c, s.cfg.Path); err != nil {
		return err
	}
	var top, sub []string
	for _, d := range backend.Dirs() {
		if strings.Contains(d, "/") {
			sub = append(sub, path.Join(s.cfg.Path, d))
		} else {
			top = append(top, path.Join(s.cfg.Path, d))
		}
	}
	if err := mkdirs(ctx, c, top); err != nil {
		return err
	}
	return mkdirs(ctx, c, sub)
}

// mkdirs creates the directories dirs, whose parents exist, concurrently.
// It returns the first error.
func mkdirs(ctx context.Context, c *conn, dirs []string) error {
	work := make(chan string)
	errs := make(chan error, len(dirs))
	var wg sync.WaitGroup
	for range min(createWorkers, len(dirs)) {
		wg.Go(func() {
			for d := range work {
				errs <- mkdir(c, d)
			}
		})
	}
	var err error
	for _, d := range dirs {
		if err = ctx.Err(); err != nil {
			break
		}
		work <- d
	}
	close(work)
	wg.Wait()
	close(errs)
	for e := range errs {
		if e != nil && err == nil {
			err = e
		}
	}
	return err
}
