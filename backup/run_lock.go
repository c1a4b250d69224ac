package backup

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
)

// withLock takes a lock on rp (exclusive or not), runs fn under the
// lock's context and releases the lock. Stale locks are removed first
// when r.UnlockStale is set; r.RetryLock applies. If the lock is lost
// while fn runs, the error says so.
func (r *Runner) withLock(ctx context.Context, rp *repo.Repository, exclusive bool, fn func(ctx context.Context, l *repo.Lock) error) error {
	if r.UnlockStale {
		n, err := rp.Unlock(ctx, false)
		switch {
		case err != nil:
			r.log().Warn("remove stale locks", "err", err)
		case n > 0:
			r.log().Warn("removed stale locks", "count", n)
		}
	}
	l, lctx, err := rp.LockWithOptions(ctx, repo.LockOptions{Exclusive: exclusive, RetryLock: r.RetryLock})
	if err != nil {
		return err
	}
	err = fn(lctx, l)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		err = context.Cause(lctx)
	}
	if uerr := l.Unlock(); uerr != nil {
		r.log().Warn("release repository lock", "err", uerr)
	}
	return err
}
