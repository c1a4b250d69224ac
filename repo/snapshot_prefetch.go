package repo

import (
	"context"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
)

// Prefetch selects what LockWithOptions loads while a new lock settles,
// the 200 ms it waits before checking for a competitor, so that the
// operation under the lock finds it loaded.
type Prefetch uint8

const (
	// PrefetchSnapshots loads every snapshot file for the next Snapshots
	// call on the repository, which still lists the snapshot files under
	// the lock and loads those that appeared since.
	PrefetchSnapshots Prefetch = 1 << iota
	// PrefetchIndex loads the index, unless one is loaded already, as the
	// first operation needing it would. With PrefetchSnapshots, the next
	// Snapshots call unloads it again if it lists snapshots the prefetch
	// did not, whose blobs it may lack; their index files load then.
	PrefetchIndex
)

// prefetched holds what a granted lock's prefetch loaded until the next
// Snapshots call takes it: the snapshots by ID, and the index it made
// the repository's, which that call drops when it finds snapshots the
// prefetch did not list.
type prefetched struct {
	mu    sync.Mutex
	snaps map[ID]*Snapshot
	idx   *index.Index
}

// take returns the prefetched snapshots and index, if any, and forgets
// them.
func (p *prefetched) take() (map[ID]*Snapshot, *index.Index) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, idx := p.snaps, p.idx
	p.snaps, p.idx = nil, nil
	return m, idx
}

// dropIndex unloads the index if it is still idx, so that its next use
// loads it afresh.
func (r *Repository) dropIndex(idx *index.Index) {
	r.idxMu.Lock()
	if r.idx == idx {
		r.idx, r.loaded = nil, false
	}
	r.idxMu.Unlock()
}

// prefetch is the loading started while a lock settles.
type prefetch struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the loads have ended
	snaps  []*Snapshot   // nil when not asked for or failed
	idx    *index.Index  // nil when not asked for, loaded already or failed
}

// startPrefetch starts loading what in the background; nil when what is
// empty. The index files are listed after the snapshot files, so that
// the index holds the blobs of every snapshot listed. Failed loads are
// dropped: the operation loads again and reports.
func (r *Repository) startPrefetch(ctx context.Context, what Prefetch) *prefetch {
	if what == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetch{cancel: cancel, done: make(chan struct{})}
	r.idxMu.Lock()
	wantIndex := what&PrefetchIndex != 0 && !r.loaded
	r.idxMu.Unlock()
	var wg sync.WaitGroup
	loadIndex := func() {
		var err error
		if p.idx, err = r.readIndex(ctx); err != nil {
			r.log.Debug("prefetch index", "err", err)
		}
	}
	if what&PrefetchSnapshots == 0 {
		if wantIndex {
			wg.Go(loadIndex)
		}
	} else {
		wg.Go(func() {
			names, err := r.listNames(ctx, backend.SnapshotFile)
			if wantIndex {
				wg.Go(loadIndex)
			}
			if err == nil {
				p.snaps, _, err = r.loadSnapshots(ctx, names, nil)
			}
			if err != nil {
				r.log.Debug("prefetch snapshots", "err", err)
			}
		})
	}
	go func() {
		wg.Wait()
		close(p.done)
	}()
	return p
}

// discard stops p's loads, waits for them to end and drops what they
// loaded. p may be nil.
func (p *prefetch) discard() {
	if p != nil {
		p.cancel()
		<-p.done
	}
}

// adoptPrefetch waits for p's loads, or for ctx to end (which discards
// them), and keeps what they loaded: the index unless one was loaded
// meanwhile, and the snapshots for the next Snapshots call. p may be nil.
func (r *Repository) adoptPrefetch(ctx context.Context, p *prefetch) {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		p.cancel()
	case <-ctx.Done():
		p.discard()
		return
	}
	idx := p.idx
	if idx != nil {
		r.idxMu.Lock()
		if r.loaded {
			idx = nil
		} else {
			r.idx, r.loaded = idx, true
		}
		r.idxMu.Unlock()
	}
	if p.snaps != nil {
		m := make(map[ID]*Snapshot, len(p.snaps))
		for _, s := range p.snaps {
			m[s.ID()] = s
		}
		r.pre.mu.Lock()
		r.pre.snaps, r.pre.idx = m, idx
		r.pre.mu.Unlock()
	}
}
