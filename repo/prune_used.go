package repo

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// pruneUsedBlobs walks every tree reachable from snaps, each tree once, in
// parallel, and returns the set of tree and data blobs they use. A tree
// missing from the index yields an error wrapping ErrIndexIncomplete, one
// whose packs are all missing (inRepo reports false) ErrPacksMissing; any
// other failure to load a tree aborts as well.
func (r *Repository) pruneUsedBlobs(ctx context.Context, snaps []*Snapshot, inRepo func(BlobHandle) bool) (map[BlobHandle]struct{}, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		wake     = sync.NewCond(&mu)
		used     = map[BlobHandle]struct{}{}
		queue    []ID
		active   int
		firstErr error
	)
	// push records a tree as used and queues it unless already seen. The
	// caller holds mu.
	push := func(tid ID) {
		h := BlobHandle{ID: tid, Type: TreeBlob}
		if _, ok := used[h]; !ok {
			used[h] = struct{}{}
			queue = append(queue, tid)
		}
	}
	for _, s := range snaps {
		push(*s.Tree)
	}
	var wg sync.WaitGroup
	for range 2 * r.pruneWorkers() {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			for {
				for len(queue) == 0 && active > 0 && firstErr == nil {
					wake.Wait()
				}
				if len(queue) == 0 || firstErr != nil {
					wake.Broadcast()
					return
				}
				tid := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				active++
				mu.Unlock()
				t, err := r.LoadTree(ctx, tid)
				mu.Lock()
				active--
				if err != nil {
					if firstErr == nil {
						firstErr = err
						switch h := (BlobHandle{ID: tid, Type: TreeBlob}); {
						case errors.Is(err, ErrNotFound):
							firstErr = fmt.Errorf("%w: %w", ErrIndexIncomplete, err)
						case ctx.Err() == nil && !inRepo(h):
							firstErr = fmt.Errorf("%w: %w", ErrPacksMissing, err)
						}
						cancel()
					}
					continue
				}
				for _, n := range t.Nodes {
					for _, bid := range n.Content {
						used[BlobHandle{ID: bid, Type: DataBlob}] = struct{}{}
					}
					if n.Subtree != nil {
						push(*n.Subtree)
					}
				}
				wake.Broadcast()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return used, nil
}
