package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// checkSnapshotWorkers is how many snapshot files Check loads at once.
const checkSnapshotWorkers = 8

// checkStructure loads the snapshots listed before the index was loaded
// and walks every tree reachable from them.
func (c *checker) checkStructure(ctx context.Context, names []string) error {
	c.prog.CheckStep(CheckStepSnapshots, len(names))
	errFrom, hintFrom := c.marks()
	roots := make([]*ID, len(names))
	err := checkForEach(ctx, len(names), checkSnapshotWorkers, func(ctx context.Context, i int) error {
		defer c.prog.CheckAdvance(1, 0)
		sid, err := ParseID(names[i])
		var sn *Snapshot
		if err == nil {
			sn, err = c.r.LoadSnapshot(ctx, sid)
		}
		if err != nil {
			if !c.isDamage(ctx, err) {
				return err
			}
			c.addError(CheckIssue{Kind: IssueSnapshotDamaged, File: backend.Handle{Type: backend.SnapshotFile, Name: names[i]}.String(),
				Message: fmt.Sprintf("failed to load snapshot %s: %v", names[i][:min(8, len(names[i]))], checkDamageCause(err))})
			return nil
		}
		roots[i] = sn.Tree
		return nil
	})
	c.sortSince(errFrom, hintFrom)
	if err != nil {
		return err
	}
	w := newCheckTreeWalk(c)
	for i, tid := range roots {
		if tid != nil {
			c.res.SnapshotsChecked++
			w.addRoot(*tid, names[i])
		}
	}
	c.prog.CheckStep(CheckStepTrees, 0)
	errFrom, hintFrom = c.marks()
	defer c.sortSince(errFrom, hintFrom)
	if err := w.run(ctx, c.treeWorkers()); err != nil {
		return err
	}
	c.res.TreesChecked = w.trees
	for _, ti := range w.issues {
		ti.issue.Snapshots = w.snapshotsOf(ti.tree)
		ti.issue.Message += checkSnapshotSuffix(ti.issue.Snapshots)
		c.addError(ti.issue)
	}
	return nil
}

// checkSnapshotSuffix names the snapshots an issue affects, for messages.
func checkSnapshotSuffix(ids []string) string {
	switch len(ids) {
	case 0:
		return ""
	case 1:
		return " (snapshot " + checkShortIDs(ids) + ")"
	}
	return " (snapshots " + checkShortIDs(ids) + ")"
}

// treeWorkers is how many trees Check loads at once: tree blobs are small,
// so latency matters more than bandwidth.
func (c *checker) treeWorkers() int {
	return min(max(2*int(c.r.be.Connections()), 4), 32)
}

// snapshotsOf returns the sorted full IDs of the snapshots from whose root
// tree tid can be reached, following the parent links the walk recorded.
func (w *checkTreeWalk) snapshotsOf(tid ID) []string {
	seen := map[ID]bool{tid: true}
	queue := []ID{tid}
	var out []string
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		out = append(out, w.roots[t]...)
		for _, p := range w.parents[t] {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkTreeLoadIssue describes a tree that could not be loaded.
func checkTreeLoadIssue(tid ID, err error, be backend.Backend) CheckIssue {
	i := CheckIssue{Kind: IssueTreeDamaged, Blob: tid.String()}
	var ie *IntegrityError
	switch {
	case errors.Is(err, ErrNotFound):
		i.Kind, i.Message = IssueTreeMissing, fmt.Sprintf("tree %s not found in index", tid.Str())
		return i
	case be.IsNotExist(err):
		i.Kind = IssueTreeMissing
	case errors.As(err, &ie) && ie.File != "tree":
		i.File = ie.File
		i.Message = fmt.Sprintf("tree %s in %s: %v", tid.Str(), ie.File, ie.Err)
		return i
	case errors.As(err, &ie):
		err = ie.Err
	}
	i.Message = fmt.Sprintf("tree %s could not be loaded: %v", tid.Str(), err)
	return i
}
