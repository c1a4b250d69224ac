package repo

import (
	"context"
	"sync"
	"sync/atomic"
)

// checkForEach calls fn(ctx, i) for every i in [0, n) on at most workers
// goroutines. The first error returned by fn cancels the context passed to
// the other calls and is returned; otherwise checkForEach returns ctx's error,
// if any.
func checkForEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range max(min(workers, n), 0) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel(err) })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return context.Cause(ctx)
}
