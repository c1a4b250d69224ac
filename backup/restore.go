package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Mode says whose targets a restore or a drill writes to.
type Mode string

const (
	// ModeLocal restores into the targets of the local configuration
	// (config/kamal-backup.local.yml, loaded with LoadOptions.Local): a
	// developer's database and storage directories. Targets that look
	// like production are refused.
	ModeLocal Mode = "local"
	// ModeProduction restores into the production configuration's live
	// targets (Restore), or into scratch targets next to them (Drill).
	ModeProduction Mode = "production"
)

// Errors callers branch on. Each is wrapped in an error that says which
// target or setting is concerned and what to do; several refusals at once
// are joined with errors.Join, so test them with errors.Is.
var (
	// ErrNotConfirmed means the operator did not confirm the restore or
	// drill at the prompt, or there was no prompt to answer and nothing
	// (--yes, --confirm-production-restore) confirmed it in advance.
	ErrNotConfirmed = errors.New("not confirmed")
	// ErrProductionTarget means a local restore or drill was refused
	// because a target looks like production: a production environment
	// variable is set, or a database or path is the production one.
	ErrProductionTarget = errors.New("local target looks like production")
	// ErrScratchIsLive means a drill was refused because a scratch target
	// is (or overlaps) a live production target.
	ErrScratchIsLive = errors.New("scratch target is a live target")
	// ErrNoScratchTarget means a production drill lacks the scratch
	// target of a database or of the files.
	ErrNoScratchTarget = errors.New("no scratch target")
	// ErrTargetNotWritable means a restore target (or the directory that
	// would hold it) cannot be written, for instance because it is on a
	// read-only mount. It is detected before anything is downloaded.
	ErrTargetNotWritable = errors.New("restore target is not writable")
	// ErrNoSnapshot means no snapshot to restore a database or the files
	// from was found, or the requested one does not fit.
	ErrNoSnapshot = errors.New("no suitable snapshot")
	// ErrCheckFailed means a drill's check command failed.
	ErrCheckFailed = errors.New("drill check failed")
)

// Restorer restores snapshots of one app into live targets (Restore) and
// scratch targets (Drill). Make one with NewRestorer. A Restorer holds no
// mutable state; its methods may be called concurrently, though two
// restores into the same targets at once would fight.
type Restorer struct {
	repo     *repo.Repository
	prod     *Config
	local    *Config
	adapters Registry
	log      *slog.Logger
	now      func() time.Time
	probe    func(dir string) error
	retry    time.Duration
}

// RestorerOptions tune a Restorer. The zero value means defaults.
type RestorerOptions struct {
	// Local is the local configuration (LoadConfig with
	// LoadOptions.Local). It is needed for ModeLocal only.
	Local *Config
	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger
	// Now returns the current time, for timings and records; nil means
	// time.Now.
	Now func() time.Time
	// ProbeWritable reports whether files can be created in the existing
	// directory dir, returning an error when not. Nil means creating and
	// removing a temporary file there, which fails on a read-only mount
	// even for root. Tests replace it; a chmod does not stop root.
	ProbeWritable func(dir string) error
	// RetryLock is how long to wait for an exclusive lock (a prune)
	// to go away (--retry-lock); 0 means fail at once with an error
	// wrapping repo.ErrLocked.
	RetryLock time.Duration
}

// NewRestorer returns a Restorer reading snapshots from r. production is
// the app's production configuration (LoadConfig without
// LoadOptions.Local): its app name selects the snapshots, its targets are
// the ones a production restore replaces and the ones local and scratch
// targets must differ from. A developer machine may load it with
// LoadOptions.ShapeOnly, since for local restores only the locations it
// names are compared. adapters must hold an adapter for every database
// restored.
func NewRestorer(r *repo.Repository, production *Config, adapters Registry, opts RestorerOptions) (*Restorer, error) {
	switch {
	case r == nil:
		return nil, errors.New("restorer: no repository")
	case production == nil:
		return nil, errors.New("restorer: no production configuration")
	case production.Local():
		return nil, errors.New("restorer: the production configuration was loaded as a local one")
	case opts.Local != nil && !opts.Local.Local():
		return nil, errors.New("restorer: the local configuration was not loaded with LoadOptions.Local")
	case production.App == "":
		return nil, errors.New("restorer: the production configuration names no app")
	}
	res := &Restorer{repo: r, prod: production, local: opts.Local, adapters: adapters,
		log: opts.Logger, now: opts.Now, probe: opts.ProbeWritable, retry: opts.RetryLock}
	if res.log == nil {
		res.log = slog.New(slog.DiscardHandler)
	}
	if res.now == nil {
		res.now = time.Now
	}
	if res.probe == nil {
		res.probe = probeWritable
	}
	return res, nil
}

// config returns the configuration whose targets mode writes to.
func (r *Restorer) config(mode Mode) (*Config, error) {
	switch mode {
	case ModeProduction:
		return r.prod, nil
	case ModeLocal:
		if r.local == nil {
			return nil, errors.New("local mode needs the local configuration (config/kamal-backup.local.yml)")
		}
		return r.local, nil
	}
	return nil, fmt.Errorf("unknown mode %q (want %q or %q)", mode, ModeLocal, ModeProduction)
}

// lookupOrEnv returns lookup, or os.LookupEnv when it is nil.
func lookupOrEnv(lookup func(string) (string, bool)) func(string) (string, bool) {
	if lookup == nil {
		return os.LookupEnv
	}
	return lookup
}

// lock takes a shared lock on the repository, as restic restore does, so
// that a prune cannot remove what is being restored. It returns the lock
// and the context to work under.
func (r *Restorer) lock(ctx context.Context) (*repo.Lock, context.Context, error) {
	l, ctx, err := r.repo.LockWithOptions(ctx, repo.LockOptions{RetryLock: r.retry})
	if err != nil {
		return nil, nil, fmt.Errorf("lock the repository: %w", err)
	}
	return l, ctx, nil
}

// requested is the snapshot reference as records show it.
func requested(ref string) string {
	if ref == "" {
		return "latest"
	}
	return ref
}
