package retry_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

var (
	errTransient = errors.New("503 service unavailable")
	errPermanent = errors.New("403 forbidden")
)

// flaky is an in-memory backend whose operations fail as a test scripts
// them. hook, if set, runs before every operation with the operation's
// name and its call number from 1; a non-nil result is returned instead
// of doing the operation, unless it is wrapped in afterOp, in which case
// the operation happens first and the error is returned after it.
type flaky struct {
	*mem.Mem
	atomic   bool
	noClob   bool // Save refuses existing files with errPermanent
	mu       sync.Mutex
	calls    map[string]int
	log      []string
	hook     func(op string, n int) error
	loadHook func(n int, rd io.Reader) io.Reader
}

// afterOp marks a hook error returned after the operation took place.
type afterOp struct{ err error }

func (a afterOp) Error() string { return a.err.Error() }
func (a afterOp) Unwrap() error { return a.err }

func newFlaky(hook func(op string, n int) error) *flaky {
	return &flaky{Mem: mem.New(), calls: map[string]int{}, hook: hook}
}

func (f *flaky) Location() string { return "flaky:/repo" }

func (f *flaky) HasAtomicReplace() bool { return f.atomic }

func (f *flaky) IsPermanentError(err error) bool {
	return errors.Is(err, errPermanent) || f.Mem.IsPermanentError(err)
}

// enter records op and returns its hook result.
func (f *flaky) enter(op string) (n int, before, after error) {
	f.mu.Lock()
	f.calls[op]++
	n = f.calls[op]
	f.log = append(f.log, op)
	hook := f.hook
	f.mu.Unlock()
	if hook == nil {
		return n, nil, nil
	}
	err := hook(op, n)
	var a afterOp
	if errors.As(err, &a) {
		return n, nil, a.err
	}
	return n, err, nil
}

func (f *flaky) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *flaky) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func (f *flaky) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	_, before, after := f.enter("save")
	if before != nil {
		io.CopyN(io.Discard, rd, rd.Length()/2) // a partial upload
		return before
	}
	if f.noClob {
		if _, err := f.Mem.Stat(ctx, h); err == nil {
			return errPermanent
		}
	}
	if err := f.Mem.Save(ctx, h, rd); err != nil {
		return err
	}
	return after
}

func (f *flaky) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(io.Reader) error) error {
	n, before, after := f.enter("load")
	if before != nil {
		return before
	}
	err := f.Mem.Load(ctx, h, length, offset, func(rd io.Reader) error {
		if f.loadHook != nil {
			rd = f.loadHook(n, rd)
		}
		return fn(rd)
	})
	if err != nil {
		return err
	}
	return after
}

func (f *flaky) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	_, before, after := f.enter("stat")
	if before != nil {
		return backend.FileInfo{}, before
	}
	fi, err := f.Mem.Stat(ctx, h)
	if err != nil {
		return fi, err
	}
	return fi, after
}

func (f *flaky) Remove(ctx context.Context, h backend.Handle) error {
	_, before, after := f.enter("remove")
	if before != nil {
		return before
	}
	if err := f.Mem.Remove(ctx, h); err != nil {
		return err
	}
	return after
}

func (f *flaky) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	_, before, after := f.enter("list")
	if before != nil {
		return before
	}
	k := 0
	err := f.Mem.List(ctx, t, func(fi backend.FileInfo) error {
		k++
		if after != nil && k > 2 {
			return after // the listing breaks off after two names
		}
		return fn(fi)
	})
	return err
}

// clock is a fake clock whose Sleep advances it without waiting.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	return nil
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}
