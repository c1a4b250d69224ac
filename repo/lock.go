package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Timings of lock acquisition, as restic uses them.
const (
	// lockSettleDelay is how long a new lock file sits before the
	// re-check that catches a competitor who created one at the same time.
	lockSettleDelay = 200 * time.Millisecond
	// lockRetryFirst and lockRetryMax bound the backoff between attempts,
	// both for LockOptions.RetryLock and for re-reading invalid lock files.
	lockRetryFirst = 5 * time.Second
	lockRetryMax   = 60 * time.Second
	// invalidLockAttempts is how many times the lock files are listed
	// before an unreadable one fails acquisition: it may be half-written
	// on a backend without atomic uploads.
	invalidLockAttempts = 4
)

// ErrLocked is wrapped by every *LockedError: another process holds a lock
// that conflicts with the one asked for.
var ErrLocked = errors.New("repository is already locked")

// LockedError reports the lock that prevented acquiring one. It wraps
// ErrLocked.
type LockedError struct {
	ID        string        // full ID of the conflicting lock file
	Exclusive bool          // whether the holder's lock is exclusive
	Host      string        // hostname recorded in the lock
	User      string        // username recorded in the lock
	PID       int           // process ID recorded in the lock
	UID, GID  uint32        // user and group IDs recorded in the lock
	Time      time.Time     // when the lock file was written
	Age       time.Duration // how long ago that was when the conflict was seen
	Stale     bool          // whether Unlock would remove the lock
}

// Error returns a message in restic's shape, naming the holder.
func (e *LockedError) Error() string {
	how := "locked"
	if e.Exclusive {
		how = "locked exclusively"
	}
	age := e.Age.Round(time.Second)
	if e.Age < time.Second {
		age = e.Age.Round(time.Millisecond)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "repository is already %s by PID %d on %s by %s (UID %d, GID %d)\n", how, e.PID, e.Host, e.User, e.UID, e.GID)
	fmt.Fprintf(&b, "lock was created at %s (%v ago)\n", e.Time.Format(time.DateTime), age)
	fmt.Fprintf(&b, "storage ID %s", shortLockID(e.ID))
	if e.Stale {
		b.WriteString("\nthe lock is stale: unlock removes it")
	}
	return b.String()
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// InvalidLockError reports a lock file that cannot be read: it fails lock
// acquisition, because it may belong to a running process. It wraps the
// cause, usually an *IntegrityError.
type InvalidLockError struct {
	ID  string // full ID of the lock file
	Err error
}

// Error names the file and tells how to get rid of it.
func (e *InvalidLockError) Error() string {
	return fmt.Sprintf("invalid lock file %s: %v\nif no other process is using the repository, unlock --remove-all removes it", shortLockID(e.ID), e.Err)
}

// Unwrap returns the cause.
func (e *InvalidLockError) Unwrap() error { return e.Err }

// LockOptions tune LockWithOptions. The zero value asks for a
// non-exclusive lock without retrying.
type LockOptions struct {
	// Exclusive asks for a lock that no other lock may coexist with.
	Exclusive bool
	// RetryLock is how long to keep retrying while the repository is
	// locked by someone else, with a backoff from 5 s doubling up to
	// 60 s; 0 means fail at once.
	RetryLock time.Duration
	// Prefetch starts loading the snapshots or the index once the new
	// lock file is written, while it settles. When the lock is granted,
	// LockWithOptions waits for the loads and keeps what they loaded
	// (see Prefetch); when it is not, they are cancelled and dropped.
	Prefetch Prefetch

	env *lockEnv // tests replace the machine; nil means the real one
}

// Lock acquires a lock on the repository like restic: any number of
// non-exclusive locks may coexist, an exclusive one excludes all others,
// and stale locks still count until Unlock removes them. It is
// LockWithOptions without retrying.
func (r *Repository) Lock(ctx context.Context, exclusive bool) (*Lock, context.Context, error) {
	return r.LockWithOptions(ctx, LockOptions{Exclusive: exclusive})
}

// LockWithOptions acquires a lock on the repository and returns it with a
// context derived from ctx under which the caller must run the operation
// the lock protects. The lock file is refreshed every 5 minutes; if that
// keeps failing for 22.5 minutes, after which other processes may consider
// the lock stale, the context is cancelled with a cause wrapping
// ErrLockLost. The caller must call (*Lock).Unlock when done, which also
// cancels the context.
//
// A conflicting lock yields an error wrapping a *LockedError (and so
// ErrLocked), after retrying for opts.RetryLock. A lock file that cannot
// be read even after re-reading it a few times, 35 seconds in all, yields
// an *InvalidLockError; empty lock files are ignored.
func (r *Repository) LockWithOptions(ctx context.Context, opts LockOptions) (*Lock, context.Context, error) {
	env := opts.env
	if env == nil {
		env = r.defaultLockEnv()
	}
	giveUp := env.now().Add(opts.RetryLock)
	delay := lockRetryFirst
	for {
		l, pf, err := r.tryLock(ctx, opts.Exclusive, opts.Prefetch, env)
		if err == nil {
			lctx := l.start(ctx)
			r.adoptPrefetch(lctx, pf)
			return l, lctx, nil
		}
		var le *LockedError
		if opts.RetryLock <= 0 || !errors.As(err, &le) {
			return nil, nil, err
		}
		left := giveUp.Sub(env.now())
		if left <= 0 {
			return nil, nil, fmt.Errorf("gave up after waiting %v: %w", opts.RetryLock, err)
		}
		wait := min(delay, left)
		r.log.Info("repository is locked, waiting", "holder_pid", le.PID, "holder_host", le.Host, "lock", shortLockID(le.ID), "retry_in", wait)
		if err := env.sleep(ctx, wait); err != nil {
			return nil, nil, fmt.Errorf("wait for lock: %w", err)
		}
		delay = min(delay*2, lockRetryMax)
	}
}

// tryLock makes one attempt: check, create, settle, re-check. It starts
// loading what while the lock settles and returns the loads when it
// gets the lock; otherwise it discards them.
func (r *Repository) tryLock(ctx context.Context, exclusive bool, what Prefetch, env *lockEnv) (*Lock, *prefetch, error) {
	if err := r.checkLocks(ctx, exclusive, "", env); err != nil {
		return nil, nil, err
	}
	lf := env.newLockFile(exclusive)
	id, err := r.saveLock(ctx, lf)
	if err != nil {
		return nil, nil, fmt.Errorf("create lock: %w", err)
	}
	// Loading now is as safe as under the lock: snapshot and index files
	// never change, and only the holder of an exclusive lock removes
	// them. One whose lock predates ours shows at the re-check below,
	// which fails this attempt and discards the loads; one that locks
	// after ours was written sees ours and gives up before removing
	// anything.
	pf := r.startPrefetch(ctx, what)
	err = env.sleep(ctx, lockSettleDelay)
	if err == nil {
		err = r.checkLocks(ctx, exclusive, id, env)
	}
	if err != nil {
		pf.discard()
		rmCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lockRemoveTimeout)
		defer cancel()
		if rmErr := r.removeLock(rmCtx, id); rmErr != nil {
			r.log.Warn("remove own lock after failed acquisition", "lock", shortLockID(id), "err", rmErr)
		}
		return nil, nil, err
	}
	return newLock(r, env, exclusive, id, lf.Time), pf, nil
}

// checkLocks returns a *LockedError for the first lock other than own that
// conflicts with a lock of the asked kind. Unreadable lock files are
// re-read with a backoff and then fail with an *InvalidLockError.
func (r *Repository) checkLocks(ctx context.Context, exclusive bool, own string, env *lockEnv) error {
	delay := lockRetryFirst
	for attempt := 1; ; attempt++ {
		var invalid *InvalidLockError
		err := r.eachLock(ctx, func(id string, lf *lockFile, err error) error {
			switch {
			case id == own || errors.Is(err, errEmptyLock):
				return nil
			case err != nil:
				if invalid == nil {
					invalid = &InvalidLockError{ID: id, Err: err}
				}
				return nil
			case exclusive || lf.Exclusive:
				return lf.lockedError(id, env)
			}
			return nil
		})
		if err != nil || invalid == nil {
			return err
		}
		if attempt == invalidLockAttempts {
			return invalid
		}
		r.log.Debug("unreadable lock file, reading it again", "lock", shortLockID(invalid.ID), "err", invalid.Err, "retry_in", delay)
		if err := env.sleep(ctx, delay); err != nil {
			return fmt.Errorf("wait for lock: %w", err)
		}
		delay = min(delay*2, lockRetryMax)
	}
}

// shortLockID returns the first 8 characters of a file ID, as restic prints.
func shortLockID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
