package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// executePrune carries out the plan in the crash-safe order and records
// what it did in res. Whatever step it stops at, every index file lists
// only existing packs and every used blob stays indexed.
func (r *Repository) executePrune(ctx context.Context, p *prunePlan, res *PruneResult) error {
	size := func(pid ID) int64 { return p.onDisk[pid] }
	var (
		freed, written int64
		failed         []error
	)
	finish := func(err error) error {
		res.FreedBytes = freed - written
		res.DeleteFailures = len(failed)
		if len(failed) > 0 {
			err = errors.Join(err, pruneDeleteError("pack files", failed))
		}
		return err
	}

	// 1. Packs in no index hold nothing a snapshot can reach.
	n, errs := r.pruneDelete(ctx, backend.PackFile, res.Plan.Unreferenced, size)
	freed += n
	failed = append(failed, errs...)

	// 2. Copy what the packs to repack still hold; Flush stores the new
	// packs, then index files listing them.
	res.Copied.Packs, res.Copied.Bytes = 0, 0
	if len(p.copies) > 0 {
		c, err := r.pruneRepack(ctx, p)
		if err != nil {
			return finish(err)
		}
		res.Copied, written = c, c.Bytes
	}

	// 3. Index files without the packs that go; only once all are stored,
	// delete the files they replace.
	res.IndexFilesWritten, res.IndexFilesDeleted = 0, 0
	if len(res.Plan.ObsoleteIndexFiles) > 0 {
		nw, err := r.pruneWriteIndex(ctx, p)
		res.IndexFilesWritten = nw
		if err != nil {
			return finish(err)
		}
		_, errs := r.pruneDelete(ctx, backend.IndexFile, res.Plan.ObsoleteIndexFiles, func(ID) int64 { return 0 })
		res.IndexFilesDeleted = len(res.Plan.ObsoleteIndexFiles) - len(errs)
		if len(errs) > 0 {
			return finish(fmt.Errorf("%w; no pack was deleted", pruneDeleteError("obsolete index files", errs)))
		}
	}

	// 4. No index lists these packs any more.
	gone := slices.Concat(res.Plan.Remove, res.Plan.Repack)
	n, errs = r.pruneDelete(ctx, backend.PackFile, gone, size)
	freed += n
	failed = append(failed, errs...)
	res.SizeAfter = res.Kept.Bytes + written
	return finish(nil)
}
