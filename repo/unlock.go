package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// staleLockTimeout is the age after which any lock is stale.
const staleLockTimeout = 30 * time.Minute

// maxLockSize bounds a lock file read from the repository.
const maxLockSize = 1 << 20

// errEmptyLock marks a zero-size lock file, left by a crash on a backend
// without atomic uploads; such files are ignored.
var errEmptyLock = errors.New("empty lock file")

// lockFile is a lock file's content. Field order and omission follow
// restic's.
type lockFile struct {
	Time      time.Time `json:"time"`
	Exclusive bool      `json:"exclusive"`
	Hostname  string    `json:"hostname"`
	Username  string    `json:"username"`
	PID       int       `json:"pid"`
	UID       uint32    `json:"uid,omitempty"`
	GID       uint32    `json:"gid,omitempty"`
}

// LockInfo describes a lock file, as listed by Locks.
type LockInfo struct {
	ID        string    // full ID of the lock file
	Time      time.Time // when it was written
	Exclusive bool
	Hostname  string
	Username  string
	PID       int
	UID, GID  uint32
	// Stale is true when the lock is older than 30 minutes, or was made
	// on this host by a process that no longer exists; Unlock removes it.
	Stale bool
	// Err is non-nil when the file is empty or cannot be read; the other
	// fields but ID are then zero.
	Err error
}

// lockEnv is what locking needs from the machine. Tests replace it.
type lockEnv struct {
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	ticker   func(d time.Duration) (c <-chan time.Time, stop func())
	alive    func(pid int) bool // whether a process of this host exists
	hostname string
	username string
	pid      int
	uid, gid uint32

	afterRefresh func(error) // test hooks; nil in production
	afterCheck   func()
}

func (r *Repository) defaultLockEnv() *lockEnv {
	e := &lockEnv{
		now:    r.now,
		sleep:  lockSleep,
		ticker: lockTicker,
		alive:  processExists,
		pid:    os.Getpid(),
	}
	e.hostname, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		e.username = u.Username
	}
	if uid, gid := os.Getuid(), os.Getgid(); uid >= 0 && gid >= 0 {
		e.uid, e.gid = uint32(uid), uint32(gid)
	}
	return e
}

func (e *lockEnv) newLockFile(exclusive bool) lockFile {
	return lockFile{Time: e.now(), Exclusive: exclusive, Hostname: e.hostname, Username: e.username, PID: e.pid, UID: e.uid, GID: e.gid}
}

// stale applies restic's rules: older than 30 minutes, or made on this
// host by a process that is gone. A lock of another host younger than 30
// minutes is never stale.
func (lf *lockFile) stale(env *lockEnv) bool {
	if env.now().Round(0).Sub(lf.Time) > staleLockTimeout {
		return true
	}
	return lf.Hostname == env.hostname && !env.alive(lf.PID)
}

func (lf *lockFile) lockedError(id string, env *lockEnv) *LockedError {
	return &LockedError{
		ID: id, Exclusive: lf.Exclusive, Host: lf.Hostname, User: lf.Username,
		PID: lf.PID, UID: lf.UID, GID: lf.GID, Time: lf.Time,
		Age: env.now().Round(0).Sub(lf.Time), Stale: lf.stale(env),
	}
}

// Locks lists the repository's lock files, oldest first. Unreadable and
// empty files are listed with Err set.
func (r *Repository) Locks(ctx context.Context) ([]LockInfo, error) {
	return r.locks(ctx, r.defaultLockEnv())
}

func (r *Repository) locks(ctx context.Context, env *lockEnv) ([]LockInfo, error) {
	var infos []LockInfo
	err := r.eachLock(ctx, func(id string, lf *lockFile, err error) error {
		li := LockInfo{ID: id, Err: err}
		if err == nil {
			li = LockInfo{ID: id, Time: lf.Time, Exclusive: lf.Exclusive, Hostname: lf.Hostname,
				Username: lf.Username, PID: lf.PID, UID: lf.UID, GID: lf.GID, Stale: lf.stale(env)}
		}
		infos = append(infos, li)
		return nil
	})
	slices.SortFunc(infos, func(a, b LockInfo) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return infos, err
}

// Unlock removes the stale locks, or with removeAll every lock file,
// including unreadable ones and locks of running processes. It returns
// how many files it removed; files that fail to be removed are reported
// together in the error.
func (r *Repository) Unlock(ctx context.Context, removeAll bool) (removed int, err error) {
	return r.unlock(ctx, removeAll, r.defaultLockEnv())
}

func (r *Repository) unlock(ctx context.Context, removeAll bool, env *lockEnv) (int, error) {
	var ids []string
	if removeAll {
		err := r.be.List(ctx, backend.LockFile, func(fi backend.FileInfo) error {
			ids = append(ids, fi.Name)
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("list locks: %w", err)
		}
	} else {
		err := r.eachLock(ctx, func(id string, lf *lockFile, err error) error {
			if err == nil && lf.stale(env) {
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	var removed int
	var errs []error
	for _, id := range ids {
		err := r.removeLock(ctx, id)
		switch {
		case err == nil:
			removed++
		case !r.be.IsNotExist(err):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// eachLock calls fn for every lock file with its content, or with
// errEmptyLock or the error that makes it unreadable (wrapping
// ErrIntegrity). Files removed meanwhile are skipped; other backend errors
// stop the walk.
func (r *Repository) eachLock(ctx context.Context, fn func(id string, lf *lockFile, err error) error) error {
	var files []backend.FileInfo
	err := r.be.List(ctx, backend.LockFile, func(fi backend.FileInfo) error {
		files = append(files, fi)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list locks: %w", err)
	}
	for _, fi := range files {
		var lf *lockFile
		err := errEmptyLock
		if fi.Size > 0 {
			lf, err = r.loadLock(ctx, fi.Name)
		}
		switch {
		case errors.Is(err, ErrNotFound):
			continue
		case err != nil && !errors.Is(err, ErrIntegrity) && !errors.Is(err, errEmptyLock):
			return err
		}
		if err := fn(fi.Name, lf, err); err != nil {
			return err
		}
	}
	return nil
}

func (r *Repository) loadLock(ctx context.Context, id string) (*lockFile, error) {
	h := backend.Handle{Type: backend.LockFile, Name: id}
	js, err := r.loadEncrypted(ctx, h, maxLockSize)
	if err != nil {
		return nil, err
	}
	var lf lockFile
	if err := json.Unmarshal(js, &lf); err != nil {
		return nil, &IntegrityError{File: h.String(), Err: fmt.Errorf("decode lock: %w", err)}
	}
	return &lf, nil
}

func (r *Repository) saveLock(ctx context.Context, lf lockFile) (string, error) {
	js, err := json.Marshal(lf)
	if err != nil {
		return "", err
	}
	return r.saveEncrypted(ctx, backend.LockFile, js)
}

func (r *Repository) removeLock(ctx context.Context, id string) error {
	return r.be.Remove(ctx, backend.Handle{Type: backend.LockFile, Name: id})
}

// processExists reports whether a process with the given ID runs on this
// machine. A process of another user that cannot be signalled exists.
func processExists(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	err = p.Signal(syscall.Signal(0))
	return err == nil || !(errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH))
}

func lockSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

func lockTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}
