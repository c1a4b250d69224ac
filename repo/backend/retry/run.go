package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// run calls attempt, with the attempt number from 1, until it succeeds,
// fails permanently, fails after the time is up or ctx ends. It returns
// a stopError's content and not-found errors unchanged, ctx's error as it
// comes, and other failures as an *Error.
func (b *Backend) run(ctx context.Context, op, file string, attempt func(n int) error) error {
	start := b.opts.Now()
	interval := b.opts.Initial
	for n := 1; ; n++ {
		err := attempt(n)
		if err == nil {
			return nil
		}
		var stop *stopError
		if errors.As(err, &stop) {
			return stop.err
		}
		if ctx.Err() != nil || b.be.IsNotExist(err) {
			return err
		}
		elapsed := b.opts.Now().Sub(start)
		fail := &Error{Op: op, File: file, Location: b.be.Location(), Attempts: n, Elapsed: elapsed, Err: err}
		if b.permanent(err) {
			return fail
		}
		wait := b.jitter(interval)
		if n > 1 && elapsed+wait > b.opts.MaxElapsed {
			return fail
		}
		b.opts.Logger.Warn("backend operation failed, retrying", "op", op, "file", file,
			"attempt", n, "wait", wait, "err", err)
		if b.opts.Notify != nil {
			b.opts.Notify(op+" "+file, err, wait)
		}
		if serr := b.opts.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%s %s: %w (while waiting to retry after: %v)", op, file, serr, err)
		}
		interval = min(time.Duration(float64(interval)*b.opts.Multiplier), b.opts.MaxInterval)
	}
}

// jitter returns d varied at random by up to ±Jitter.
func (b *Backend) jitter(d time.Duration) time.Duration {
	if b.opts.Jitter <= 0 {
		return d
	}
	f := 1 + b.opts.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}
