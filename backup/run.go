package backup

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Runner runs kamal-backup's operations on the configured repository:
// Backup, Schedule, Prune, Check, List, Unlock and Validate. Set its
// fields before first use and do not change them afterwards. Its methods
// may run concurrently; they coordinate through the repository's locks
// and the state directory's atomic records, like separate processes.
//
// Every operation opens the repository itself (OpenRepository) and
// closes it before returning; only Backup creates a missing repository,
// when init_if_missing is set.
type Runner struct {
	// Config is the loaded configuration. Required.
	Config *Config
	// Adapters are the database adapters, by name. Backup and Validate
	// need one for every configured database's adapter.
	Adapters Registry
	// Logger receives progress and warnings; nil discards them. Errors
	// are returned, not logged, except by Schedule, which returns none.
	Logger *slog.Logger
	// Now is the clock of snapshot times, records, the schedule and
	// retention; nil means time.Now.
	Now func() time.Time
	// Env reads backend credentials (AWS_*, RESTIC_REST_*, ...); nil means
	// os.LookupEnv.
	Env func(name string) (string, bool)
	// RetryLock is how long to keep retrying while another process holds
	// a conflicting lock on the repository; 0 fails at once with an error
	// wrapping repo.ErrLocked.
	RetryLock time.Duration
	// UnlockStale removes stale locks (those restic's unlock removes:
	// older than 30 minutes, or of a dead process on this host) before
	// each lock is taken, so that a crashed run cannot block the schedule
	// until an operator runs unlock.
	UnlockStale bool
	// KDF are the scrypt parameters of a repository created by
	// init_if_missing; zero calibrates them as restic does.
	KDF repo.KDFParams
	// Progress, if set, is called as each source of a backup starts,
	// with step "database NAME" or "files", and returns what is told the
	// bytes read from that source (repo.SnapshotOptions.Progress); nil,
	// or a nil result, means no progress reports.
	Progress func(step string) repo.Progress
	// CheckProgress, if set, receives the progress of every repository
	// check the Runner runs (Check, and Backup's check_after_backup);
	// nil means none.
	CheckProgress repo.CheckProgress

	// hooks are test seams; all nil in production.
	hooks runnerHooks
}

// runnerHooks let tests intervene between the steps of a backup.
type runnerHooks struct {
	// beforeVerify runs after the snapshots are written, before they are
	// verified, under the backup's lock.
	beforeVerify func(ctx context.Context, r *repo.Repository)
}

// errNoConfig is returned by every operation of a Runner without Config.
var errNoConfig = errors.New("backup runner: no configuration")

// log returns the Runner's logger, or one discarding everything.
func (r *Runner) log() *slog.Logger { return orDiscard(r.Logger) }

// progress returns the receiver of one backup step's progress, or nil.
func (r *Runner) progress(step string) repo.Progress {
	if r.Progress == nil {
		return nil
	}
	return r.Progress(step)
}

// now returns the Runner's current time.
func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// open opens the configured repository; noInit suppresses
// init_if_missing.
func (r *Runner) open(ctx context.Context, noInit bool) (*repo.Repository, error) {
	if r.Config == nil {
		return nil, errNoConfig
	}
	return OpenRepository(ctx, r.Config, RepositoryOptions{Logger: r.Logger, Env: r.Env, NoInit: noInit, KDF: r.KDF})
}

// closeRepo closes rp's backend; a failure is only logged, since the
// operation's result stands.
func (r *Runner) closeRepo(rp *repo.Repository) {
	if err := rp.Backend().Close(); err != nil {
		r.log().Warn("close repository", "err", err)
	}
}

// withRepo opens the repository, never creating it, runs fn and closes
// it.
func (r *Runner) withRepo(ctx context.Context, fn func(rp *repo.Repository) error) error {
	rp, err := r.open(ctx, true)
	if err != nil {
		return err
	}
	defer r.closeRepo(rp)
	return fn(rp)
}

// redactError returns err with every secret of the configuration removed
// from its message; errors.Is and errors.As still see the original.
func (r *Runner) redactError(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, msg: r.Config.Redactor().Redact(err.Error())}
}

// redactedError is an error whose message had its secrets removed.
type redactedError struct {
	err error
	msg string
}

// Error returns the redacted message.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *redactedError) Unwrap() error { return e.err }
