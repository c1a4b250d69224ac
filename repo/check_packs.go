package repo

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// checkPacks lists the packs in the backend and compares them with the
// index: an indexed pack that is missing or has a size other than its
// index entries imply is an error; packs in no index give a hint, shown,
// as restic does, only when the step found no error.
func (c *checker) checkPacks(ctx context.Context) error {
	listed := map[ID]int64{}
	err := c.r.be.List(ctx, backend.PackFile, func(fi backend.FileInfo) error {
		if pid, err := ParseID(fi.Name); err == nil {
			listed[pid] = fi.Size
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list packs: %w", err)
	}
	ids := c.idx.PackIDs()
	slices.SortFunc(ids, checkCompareIDs)
	c.res.PacksTotal = len(ids)
	c.prog.CheckStep(CheckStepPacks, len(ids))
	errFrom, hintFrom := c.marks()
	defer c.sortSince(errFrom, hintFrom)
	for _, pid := range ids {
		want, _ := c.idx.PackSize(pid)
		got, ok := listed[pid]
		delete(listed, pid)
		c.sizes[pid] = got
		switch {
		case !ok:
			c.missing[pid] = struct{}{}
			c.addError(CheckIssue{Kind: IssuePackMissing, File: checkPackPath(pid),
				Message: fmt.Sprintf("pack %s does not exist", pid)})
		case got != want:
			c.markBroken(pid)
			c.addError(CheckIssue{Kind: IssuePackSize, File: checkPackPath(pid),
				Message: fmt.Sprintf("pack %s: unexpected file size: got %d, expected %d", pid, got, want)})
		}
	}
	c.prog.CheckAdvance(len(ids), 0)
	if len(listed) == 0 {
		return nil
	}
	c.res.SuggestPrune = true
	if n, _ := c.marks(); n == errFrom {
		c.addHint(CheckIssue{Kind: IssueAdditionalFiles, Message: fmt.Sprintf("%d additional files were found in the repo, "+
			"which likely contain duplicate data. This is non-critical, you can run `prune` to correct this", len(listed))})
	}
	for pid := range listed {
		c.r.log.Debug("check: pack not in any index", "pack", pid.String())
	}
	return nil
}

// checkCompareIDs orders IDs byte-wise.
func checkCompareIDs(a, b ID) int { return bytes.Compare(a[:], b[:]) }
