package repo

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrLastCheckFailed is returned by Prune when PruneOptions says the
	// last recorded check of the repository failed and Force is not set:
	// deleting data from a damaged repository can destroy what a repair
	// would still have saved.
	ErrLastCheckFailed = errors.New("the last check of the repository failed; prune refuses to delete data unless forced")
	// ErrIndexIncomplete is wrapped by Prune's error when a blob that a
	// snapshot uses is in no index file. Nothing is deleted; `restic
	// repair index` rebuilds the index from the packs.
	ErrIndexIncomplete = errors.New("index is not complete: blobs used by snapshots are missing from it")
	// ErrPacksMissing is wrapped by Prune's error when packs that the
	// index lists and that hold used blobs do not exist. Nothing is
	// deleted.
	ErrPacksMissing = errors.New("packs holding used blobs are missing in the repository")
	// ErrPackSizeMismatch is wrapped by Prune's error when a pack holding
	// used blobs has a size other than the index implies. Nothing is
	// deleted; `restic repair index` fixes the index.
	ErrPackSizeMismatch = errors.New("pack file size does not match the index")
)

// PruneOptions tune Prune. The zero value means restic's defaults: at most
// 5% unused space is left, any amount may be repacked, small packs are
// repacked only when there are at least ten of them.
type PruneOptions struct {
	// MaxUnused is how much unused space may remain: "p%" with 0 ≤ p < 100
	// allows p/(100−p) × the used bytes (p% of the repository after
	// prune), "unlimited" repacks nothing for space, and a size such as
	// "100M" (units k, M, G, T of 1024) allows that many bytes. "" means
	// "5%".
	MaxUnused string
	// MaxRepackSize caps the bytes of packs repacked, as a size such as
	// "2G"; "" means no limit.
	MaxRepackSize string
	// RepackCacheableOnly repacks only packs holding tree blobs; data
	// packs with unused blobs stay as they are unless wholly unused.
	RepackCacheableOnly bool
	// RepackSmall counts packs below 80% of PackSize as small, instead of
	// below 4% of it.
	RepackSmall bool
	// RepackSmallerThan sets the size below which a pack is small, such as
	// "10M"; it overrides RepackSmall. "" means the default.
	RepackSmallerThan string
	// RepackUncompressed repacks, in a version 2 repository, every pack
	// holding uncompressed blobs and stores them compressed.
	RepackUncompressed bool
	// PackSize is the target size of the packs repacking writes, which
	// also defines small packs; 0 means DefaultPackSize.
	PackSize int
	// DryRun plans without changing anything; the result tells what a
	// real run would do. It holds a non-exclusive lock only.
	DryRun bool
	// LastCheckFailed tells Prune that the last recorded check of the
	// repository found errors. Prune then returns ErrLastCheckFailed
	// without touching the repository, unless Force is set or DryRun.
	LastCheckFailed bool
	// Force prunes even though LastCheckFailed is set.
	Force bool
	// Lock is an exclusive lock on the repository the caller already
	// holds, as forget --prune does; ctx must then be the lock's context.
	// nil means Prune acquires a lock for its duration.
	Lock *Lock
}

// Prune deletes data that no snapshot uses, like restic prune 0.17/0.18:
// pack files listed in no index, packs whose blobs are all unused, and,
// within the limits of PruneOptions, packs that are partly unused, small
// or uncompressed after copying their used blobs into new packs.
//
// Prune plans first and changes nothing when the plan cannot be made: it
// fails with an error wrapping ErrIndexIncomplete, ErrPacksMissing or
// ErrPackSizeMismatch, or the error of loading an index file, a snapshot
// or a tree. It then works in an order that keeps the repository valid
// if it stops at any point: unreferenced packs are deleted, repacked blobs
// are written and indexed, new index files are written, the index files
// they replace are deleted, and only then the packs no index lists any
// more. A failed deletion of a pack leaves harmless garbage that the next
// prune removes; Prune carries on and reports it in its error.
//
// On success and on an error during the changes, the result tells what
// was planned and done. Prune locks the repository exclusively (see
// PruneOptions.Lock) and refuses to run while another process holds any
// lock, with an error wrapping ErrLocked.
func (r *Repository) Prune(ctx context.Context, opts PruneOptions) (*PruneResult, error) {
	cfg, err := opts.config(r.cfg.Version)
	if err != nil {
		return nil, err
	}
	if opts.LastCheckFailed && !opts.Force && !opts.DryRun {
		return nil, ErrLastCheckFailed
	}
	if opts.Lock == nil {
		l, lctx, err := r.Lock(ctx, !opts.DryRun)
		if err != nil {
			return nil, fmt.Errorf("prune: %w", err)
		}
		defer func() {
			if err := l.Unlock(); err != nil {
				r.log.Warn("prune: release lock", "err", err)
			}
		}()
		ctx = lctx
	} else if !opts.Lock.Exclusive() && !opts.DryRun {
		return nil, errors.New("prune: the lock passed in PruneOptions.Lock is not exclusive")
	}
	plan, err := r.planPrune(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	res := &plan.res
	res.DryRun = opts.DryRun
	if opts.DryRun {
		return res, nil
	}
	// From here on the in-memory index no longer describes the
	// repository; the next operation reloads it.
	defer r.setIndex(nil)
	if err := r.executePrune(ctx, plan, res); err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	return res, nil
}
