package main

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
)

// lockedFunc is the work done under withLock: lock is nil when the
// repository was opened without a lock.
type lockedFunc func(ctx context.Context, r *repo.Repository, lock *repo.Lock) error

// withLock is withRepo for commands that hand their lock on (forget
// --prune passes it to prune): it opens the repository, takes a lock of
// the given kind (none when skip is set), runs fn under the lock's
// context with the lock, then unlocks and closes. --retry-lock applies.
func (g *Globals) withLock(ctx context.Context, exclusive, skip bool, fn lockedFunc) error {
	r, err := g.openRepo(ctx)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	if skip {
		return fn(ctx, r, nil)
	}
	lock, lctx, err := r.LockWithOptions(ctx, repo.LockOptions{Exclusive: exclusive, RetryLock: g.RetryLock})
	if err != nil {
		return err
	}
	err = fn(lctx, r, lock)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		err = context.Cause(lctx)
	}
	if uerr := lock.Unlock(); uerr != nil {
		g.log.Warn("unlock repository", "err", uerr)
	}
	return err
}
