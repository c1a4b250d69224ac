package repo

import (
	"context"
	"fmt"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
)

// maxIndexFileSize bounds one index file read from the repository.
const maxIndexFileSize = 256 << 20

// LoadIndex loads and merges every index file. It is called lazily by
// the operations that need the index; calling it again reloads.
func (r *Repository) LoadIndex(ctx context.Context) error {
	idx, err := r.readIndex(ctx)
	if err != nil {
		return err
	}
	r.idxMu.Lock()
	r.idx, r.loaded = idx, true
	r.idxMu.Unlock()
	return nil
}

func (r *Repository) index(ctx context.Context) (*index.Index, error) {
	r.idxMu.Lock()
	defer r.idxMu.Unlock()
	if r.loaded {
		return r.idx, nil
	}
	idx, err := r.readIndex(ctx)
	if err != nil {
		return nil, err
	}
	r.idx, r.loaded = idx, true
	return idx, nil
}

// readIndex loads all index files in parallel and merges them.
func (r *Repository) readIndex(ctx context.Context) (*index.Index, error) {
	names, err := r.listNames(ctx, backend.IndexFile)
	if err != nil {
		return nil, err
	}
	idx := index.New()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	work := make(chan string)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				if err := r.loadIndexFile(ctx, idx, name); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, name := range names {
		if ctx.Err() != nil {
			break
		}
		work <- name
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("load index: %w", firstErr)
	}
	return idx, nil
}

func (r *Repository) loadIndexFile(ctx context.Context, idx *index.Index, name string) error {
	h := backend.Handle{Type: backend.IndexFile, Name: name}
	js, err := r.loadEncrypted(ctx, h, maxIndexFileSize)
	if err != nil {
		return err
	}
	f, err := index.Decode(js)
	if err != nil {
		return &IntegrityError{File: h.String(), Err: err}
	}
	for _, p := range f.Packs {
		if r.cfg.Version < 2 {
			for _, b := range p.Blobs {
				if b.UncompressedLength != 0 {
					return &IntegrityError{File: h.String(), Err: fmt.Errorf("index uses feature not supported by repository version 1 (compressed blob %s)", b.ID)}
				}
			}
		}
		if err := idx.Add(p.ID, p.Blobs); err != nil {
			return &IntegrityError{File: h.String(), Err: err}
		}
	}
	return nil
}

func newEmptyIndex() *index.Index { return index.New() }
