package repo

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
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
	r.setIndex(idx)
	return nil
}

// setIndex makes idx the in-memory index; nil drops it so the next use
// loads it afresh.
func (r *Repository) setIndex(idx *index.Index) {
	r.idxMu.Lock()
	r.idx, r.loaded = idx, idx != nil
	r.idxMu.Unlock()
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
	f, err := r.decodeIndexFile(ctx, name)
	if err != nil {
		return err
	}
	if err := idx.AddFile(f); err != nil {
		return &IntegrityError{File: "index/" + name, Err: err}
	}
	return nil
}

// decodeIndexFile loads, verifies and decodes one index file, rejecting
// compressed blobs in a version 1 repository as restic does.
func (r *Repository) decodeIndexFile(ctx context.Context, name string) (*index.File, error) {
	h := backend.Handle{Type: backend.IndexFile, Name: name}
	js, err := r.loadEncrypted(ctx, h, maxIndexFileSize)
	if err != nil {
		return nil, err
	}
	f, err := index.Decode(js)
	if err != nil {
		return nil, &IntegrityError{File: h.String(), Err: err}
	}
	if r.cfg.Version < 2 {
		for _, p := range f.Packs {
			if slices.ContainsFunc(p.Blobs, pack.Blob.IsCompressed) {
				return nil, &IntegrityError{File: h.String(), Err: fmt.Errorf("index uses feature not supported by repository version 1 (compressed blob in pack %s)", p.ID.Str())}
			}
		}
	}
	return f, nil
}

func newEmptyIndex() *index.Index { return index.New() }
