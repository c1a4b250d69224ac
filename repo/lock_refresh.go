package repo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Timings of a held lock, as restic uses them.
const (
	// lockRefreshInterval is how often a held lock's file is rewritten.
	lockRefreshInterval = 5 * time.Minute
	// lockRefreshDeadline is how long a lock may go without a successful
	// refresh before the operation is stopped: past it, other processes
	// may soon consider the lock stale.
	lockRefreshDeadline = staleLockTimeout - lockRefreshInterval*3/2
	// lockCheckInterval is how often the deadline is checked, apart from
	// refreshing, so that a refresh hanging in the backend cannot delay it.
	lockCheckInterval = time.Minute
	// lockRemoveTimeout bounds removing a lock file when releasing it.
	lockRemoveTimeout = time.Minute
)

// ErrLockLost is wrapped by the cause of the cancellation of a lock's
// context when the lock could not be kept: its file could not be
// refreshed in time, or another process removed it.
var ErrLockLost = errors.New("repository lock could not be refreshed")

// errLockReleased is the cause of the cancellation of a lock's context by
// Unlock.
var errLockReleased = errors.New("repository lock released")

// Lock is a lock held on a repository, acquired with Repository.Lock. It
// refreshes its lock file in the background until Unlock. Its methods are
// safe for concurrent use.
type Lock struct {
	r         *Repository
	env       *lockEnv
	exclusive bool

	mu       sync.Mutex
	id       string    // current lock file
	lastOK   time.Time // wall-clock time written in the current lock file
	lastErr  error     // error of the last failed refresh since lastOK
	leftover []string  // replaced lock files whose removal failed

	base   context.Context // the caller's context without its cancellation
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newLock(r *Repository, env *lockEnv, exclusive bool, id string, t time.Time) *Lock {
	return &Lock{r: r, env: env, exclusive: exclusive, id: id, lastOK: t.Round(0)}
}

// ID returns the ID of the lock's current file; it changes on every
// refresh.
func (l *Lock) ID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.id
}

// Exclusive reports whether the lock is exclusive.
func (l *Lock) Exclusive() bool { return l.exclusive }

// Unlock stops refreshing, cancels the lock's context and removes the lock
// file, even if the context the lock was acquired with is done. Further
// calls return the first call's result.
func (l *Lock) Unlock() error {
	l.once.Do(func() {
		l.cancel(errLockReleased)
		l.wg.Wait()
		ctx, cancel := context.WithTimeout(l.base, lockRemoveTimeout)
		defer cancel()
		l.mu.Lock()
		ids := append(l.leftover, l.id)
		l.mu.Unlock()
		var errs []error
		for _, id := range ids {
			if err := l.r.removeLock(ctx, id); err != nil && !l.r.be.IsNotExist(err) {
				errs = append(errs, fmt.Errorf("unlock: %w", err))
			}
		}
		l.err = errors.Join(errs...)
	})
	return l.err
}

// start begins refreshing and returns the lock's context.
func (l *Lock) start(ctx context.Context) context.Context {
	l.base = context.WithoutCancel(ctx)
	lctx, cancel := context.WithCancelCause(ctx)
	l.cancel = cancel
	l.wg.Add(2)
	go l.refreshLoop(lctx)
	go l.watchLoop(lctx)
	return lctx
}

// refreshLoop rewrites the lock file every lockRefreshInterval.
func (l *Lock) refreshLoop(ctx context.Context) {
	defer l.wg.Done()
	tick, stop := l.env.ticker(lockRefreshInterval)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		err := l.refresh(ctx)
		if err != nil && ctx.Err() == nil {
			l.r.log.Warn("refresh repository lock", "lock", shortLockID(l.ID()), "err", err)
		}
		if l.env.afterRefresh != nil {
			l.env.afterRefresh(err)
		}
	}
}

// refresh writes a new lock file with the current time, then removes the
// old one. If the old one is already gone, another process removed the
// lock, and the operation must stop.
func (l *Lock) refresh(ctx context.Context) error {
	old := l.ID()
	lf := l.env.newLockFile(l.exclusive)
	id, err := l.r.saveLock(ctx, lf)
	if err != nil {
		l.mu.Lock()
		l.lastErr = err
		l.mu.Unlock()
		return err
	}
	l.mu.Lock()
	l.id, l.lastOK, l.lastErr = id, lf.Time.Round(0), nil
	l.mu.Unlock()
	err = l.r.removeLock(ctx, old)
	switch {
	case err == nil:
	case l.r.be.IsNotExist(err):
		err = fmt.Errorf("%w: lock file %s was removed by another process", ErrLockLost, shortLockID(old))
		l.cancel(err)
	default:
		l.mu.Lock()
		l.leftover = append(l.leftover, old)
		l.mu.Unlock()
		err = fmt.Errorf("remove replaced lock file: %w", err)
	}
	return err
}

// watchLoop cancels the lock's context once the lock has gone
// lockRefreshDeadline without a successful refresh. It compares wall-clock
// times, as the processes judging the lock stale do, so that time spent
// suspended counts.
func (l *Lock) watchLoop(ctx context.Context) {
	defer l.wg.Done()
	tick, stop := l.env.ticker(lockCheckInterval)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
		l.mu.Lock()
		last, lastErr := l.lastOK, l.lastErr
		l.mu.Unlock()
		age := l.env.now().Round(0).Sub(last)
		expired := age > lockRefreshDeadline
		if expired {
			cause := fmt.Errorf("%w: no successful refresh for %v", ErrLockLost, age.Round(time.Second))
			if lastErr != nil {
				cause = fmt.Errorf("%w; last error: %w", cause, lastErr)
			}
			l.cancel(cause)
		}
		if l.env.afterCheck != nil {
			l.env.afterCheck()
		}
		if expired {
			return
		}
	}
}
