package repo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// pruneWorkers is how many backend operations prune runs at once.
func (r *Repository) pruneWorkers() int { return max(int(r.be.Connections()), 1) }

// pruneParallel calls fn for every i in [0, n) on up to workers
// goroutines. After the first error no further call starts, the context
// passed to running calls is cancelled and that error is returned.
func pruneParallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return ctx.Err()
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range min(max(workers, 1), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || wctx.Err() != nil {
					return
				}
				if err := fn(wctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// pruneDelete removes the files of type t named by ids in parallel and
// carries on past failures. A file that is already gone counts as
// removed. It returns the bytes removed, by size(id), and the failures.
func (r *Repository) pruneDelete(ctx context.Context, t backend.FileType, ids []ID, size func(ID) int64) (int64, []error) {
	var (
		mu    sync.Mutex
		freed int64
		errs  []error
	)
	err := pruneParallel(ctx, r.pruneWorkers(), len(ids), func(ctx context.Context, i int) error {
		h := backend.Handle{Type: t, Name: ids[i].String()}
		err := r.be.Remove(ctx, h)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil || r.be.IsNotExist(err):
			freed += size(ids[i])
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			errs = append(errs, err) // names the file
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return freed, errs
}

// pruneDeleteError summarises deletions that failed.
func pruneDeleteError(what string, errs []error) error {
	return fmt.Errorf("%d %s could not be deleted: %w", len(errs), what, errors.Join(errs...))
}
