package retry

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Creator = (*Backend)(nil)
)

// Defaults of Options, restic 0.17+'s policy.
const (
	DefaultMaxElapsed  = 15 * time.Minute
	DefaultInitial     = time.Second
	DefaultMultiplier  = 2.0
	DefaultMaxInterval = time.Minute
	DefaultJitter      = 0.5
)

// failedLoadTTL is how long a file whose Load gave up is refused.
const failedLoadTTL = time.Hour

// Options tune the retries. The zero value means the defaults above.
type Options struct {
	// MaxElapsed bounds the time from the first attempt to the start of
	// the last; at least one retry is made even when the first attempt
	// alone took longer.
	MaxElapsed time.Duration
	// Initial is the wait before the first retry.
	Initial time.Duration
	// Multiplier grows the wait after each retry; values below 1 mean
	// DefaultMultiplier.
	Multiplier float64
	// MaxInterval caps the wait between two attempts.
	MaxInterval time.Duration
	// Jitter varies every wait by up to ±Jitter of itself, at random, so
	// that many clients do not retry in step; negative means none.
	Jitter float64
	// Logger receives a warning for every failure that is retried; nil
	// discards them.
	Logger *slog.Logger
	// Notify, if set, is called before every wait with the operation and
	// file ("save data/<id>"), the failure and the wait.
	Notify func(op string, err error, wait time.Duration)
	// Sleep waits d or until ctx is done, returning ctx.Err() then; nil
	// means a timer. Tests replace it (and Now) to run without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxElapsed <= 0 {
		o.MaxElapsed = DefaultMaxElapsed
	}
	if o.Initial <= 0 {
		o.Initial = DefaultInitial
	}
	if o.Multiplier < 1 {
		o.Multiplier = DefaultMultiplier
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	if o.Jitter == 0 {
		o.Jitter = DefaultJitter
	}
	o.Jitter = min(o.Jitter, 1)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// AtomicReplacer is implemented by backends that say whether Save
// replaces a file atomically, so that a failed Save never leaves part of a
// file behind. Backends that do not implement it are treated as not
// atomic.
type AtomicReplacer interface {
	HasAtomicReplace() bool
}

// Backend is a backend.Backend that retries the one it wraps. It is safe
// for concurrent use if the wrapped backend is.
type Backend struct {
	be     backend.Backend
	opts   Options
	atomic bool

	mu          sync.Mutex
	failedLoads map[backend.Handle]failedLoad
}

// failedLoad is a Load that gave up: when, and why.
type failedLoad struct {
	at  time.Time
	err error
}

// New wraps be.
func New(be backend.Backend, opts Options) *Backend {
	ar, ok := be.(AtomicReplacer)
	return &Backend{be: be, opts: opts.withDefaults(), atomic: ok && ar.HasAtomicReplace(),
		failedLoads: make(map[backend.Handle]failedLoad)}
}

// Unwrap returns the wrapped backend.
func (b *Backend) Unwrap() backend.Backend { return b.be }

// Location returns the wrapped backend's location.
func (b *Backend) Location() string { return b.be.Location() }

// Connections returns the wrapped backend's connections.
func (b *Backend) Connections() uint { return b.be.Connections() }

// HasAtomicReplace reports what the wrapped backend does.
func (b *Backend) HasAtomicReplace() bool { return b.atomic }

// IsNotExist asks the wrapped backend.
func (b *Backend) IsNotExist(err error) bool { return b.be.IsNotExist(err) }

// IsPermanentError asks the wrapped backend.
func (b *Backend) IsPermanentError(err error) bool { return b.be.IsPermanentError(err) }

// Close closes the wrapped backend.
func (b *Backend) Close() error { return b.be.Close() }

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
