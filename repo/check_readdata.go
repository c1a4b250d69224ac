package repo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// readData downloads and verifies the packs sub selects (none when
// useSubset is false) and those opts.ReadPack selects, as many at once
// as the backend has connections. Packs already reported missing are
// skipped. Each pack is streamed, so memory stays at about one blob per
// connection.
func (c *checker) readData(ctx context.Context, sub DataSubset, useSubset bool) error {
	packs := c.idx.Packs()
	ids := make([]ID, 0, len(packs))
	for pid := range packs {
		ids = append(ids, pid)
	}
	slices.SortFunc(ids, checkCompareIDs)
	sizes := make([]int64, len(ids))
	for i, pid := range ids {
		sizes[i], _ = c.idx.PackSize(pid)
	}
	var chosen []ID
	if useSubset {
		src := c.opts.Rand
		if src == nil {
			src = rand.NewPCG(uint64(c.r.now().UnixNano()), 0)
		}
		chosen = sub.selectPacks(ids, sizes, rand.New(src))
	}
	var todo []ID
	for _, pid := range checkAddSelected(chosen, ids, c.opts.ReadPack) {
		if _, gone := c.missing[pid]; !gone {
			todo = append(todo, pid)
		}
	}
	c.prog.CheckStep(CheckStepReadData, len(todo))
	errFrom, hintFrom := c.marks()
	defer c.sortSince(errFrom, hintFrom)
	workers := max(int(c.r.be.Connections()), 1)
	return checkForEach(ctx, len(todo), workers, func(ctx context.Context, i int) error {
		return c.readPack(ctx, todo[i], packs[todo[i]])
	})
}

// readPack verifies one pack, reading it a second time if the first
// attempt found damage so that a fault in transit is not reported.
func (c *checker) readPack(ctx context.Context, pid ID, blobs []pack.Blob) error {
	var (
		rep    checkPackReport
		total  int64
		broken bool
	)
	for attempt := range 2 {
		var err error
		rep, err = c.verifyPack(ctx, pid, blobs)
		total += rep.bytes
		broken = len(rep.issues) > 0
		if err != nil {
			if !c.isDamage(ctx, err) {
				return err
			}
			rep.issues = append(rep.issues, CheckIssue{Kind: IssuePackRead, File: checkPackPath(pid),
				Message: fmt.Sprintf("pack %s: download failed: %v", pid.Str(), err)})
		}
		if len(rep.issues) == 0 {
			break
		}
		if attempt == 0 {
			c.r.log.Debug("check: pack failed verification, reading it again", "pack", pid.String())
		}
	}
	c.mu.Lock()
	c.res.PacksRead++
	c.res.BytesRead += total
	if len(rep.issues) == 0 {
		c.ok = append(c.ok, pid.String())
	}
	c.mu.Unlock()
	c.prog.CheckAdvance(1, total)
	if broken {
		c.markBroken(pid)
	}
	for _, i := range rep.issues {
		c.addError(i)
	}
	return nil
}
