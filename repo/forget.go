package repo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Forget deletes the snapshot files with the given IDs, as restic's forget
// does: only the snapshot files go, the data they reference stays until a
// prune. Repeated IDs are deleted once. Deletions run in parallel, up to
// the backend's Connections; one failure does not stop the others, and
// the errors are joined. A snapshot that does not exist (for example
// because a concurrent forget removed it) yields an error wrapping
// ErrNotFound.
//
// The caller decides what to delete, typically with package retention.
//
// TODO(lock): restic takes an exclusive lock for forget. Forget takes none
// itself; until the command layer holds one (Repository.Lock(ctx, true))
// around loading the snapshots and calling Forget, a concurrent backup
// or forget can race with it.
func (r *Repository) Forget(ctx context.Context, ids []ID) error {
	seen := make(map[ID]bool, len(ids))
	var unique []ID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	errs := make([]error, len(unique))
	sem := make(chan struct{}, max(1, int(r.be.Connections())))
	var wg sync.WaitGroup
	for i, id := range unique {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = r.removeSnapshot(ctx, id)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// removeSnapshot deletes one snapshot file.
func (r *Repository) removeSnapshot(ctx context.Context, id ID) error {
	h := backend.Handle{Type: backend.SnapshotFile, Name: id.String()}
	if err := r.be.Remove(ctx, h); err != nil {
		if r.be.IsNotExist(err) {
			return fmt.Errorf("forget snapshot %s: %w", id.Str(), errors.Join(ErrNotFound, err))
		}
		return fmt.Errorf("forget snapshot %s: %w", id.Str(), err)
	}
	return nil
}
