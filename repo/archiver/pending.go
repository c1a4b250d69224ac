package archiver

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// pendingDir is a directory whose entries are being saved. Each entry has
// a slot, filled (or left nil if the entry is skipped) by whichever
// goroutine saves it; the one that saves the last entry saves the tree.
type pendingDir struct {
	parent *pendingDir
	slot   int        // index in parent.kids
	node   *tree.Node // nil for the root
	prev   *tree.Node // the directory in the parent snapshot, or nil
	abs    string
	kids   []*tree.Node
	left   atomic.Int64 // entries not yet done, +1 while listing
}

func newPendingDir(parent *pendingDir, slot int, n, prev *tree.Node, abs string, entries int) *pendingDir {
	d := &pendingDir{parent: parent, slot: slot, node: n, prev: prev, abs: abs, kids: make([]*tree.Node, entries)}
	d.left.Store(int64(entries) + 1)
	return d
}

// childDone marks one entry of d (or its listing) as done and saves d's
// tree after the last one.
func (a *archiver) childDone(d *pendingDir) {
	if d.left.Add(-1) == 0 {
		a.finishDir(d)
	}
}

// finishDir saves d's tree and completes d's node in its parent.
func (a *archiver) finishDir(d *pendingDir) {
	if a.ctx.Err() != nil {
		if d.parent != nil {
			a.childDone(d.parent)
		}
		return
	}
	t := &tree.Tree{Nodes: slices.DeleteFunc(d.kids, func(n *tree.Node) bool { return n == nil })}
	data, err := tree.Encode(t)
	var tid repo.ID
	if err == nil {
		tid, _, err = a.w.SaveBlob(a.ctx, repo.TreeBlob, data)
	}
	if err != nil {
		a.fail(fmt.Errorf("save tree of %s: %w", d.abs, err))
		if d.parent != nil {
			a.childDone(d.parent)
		}
		return
	}
	if d.parent == nil {
		a.root, a.rootEntries = tid, len(t.Nodes)
		return
	}
	d.node.Subtree = &tid
	a.complete(d.parent, d.slot, d.node, d.abs, d.prev)
}

// complete records n in its directory's slot, counts it and reports it.
func (a *archiver) complete(d *pendingDir, slot int, n *tree.Node, abs string, prev *tree.Node) {
	st := status(prev, n)
	a.mu.Lock()
	s := &a.sum
	switch n.Type {
	case tree.TypeFile:
		s.TotalFilesProcessed++
		s.TotalBytesProcessed += n.Size
		count(st, &s.FilesNew, &s.FilesChanged, &s.FilesUnmodified)
	case tree.TypeDir:
		count(st, &s.DirsNew, &s.DirsChanged, &s.DirsUnmodified)
	}
	a.mu.Unlock()
	a.opts.Progress.Item(abs, n, st)
	d.kids[slot] = n
	a.childDone(d)
}

func count(st Status, isNew, changed, unmodified *uint) {
	switch st {
	case StatusNew:
		*isNew++
	case StatusChanged:
		*changed++
	default:
		*unmodified++
	}
}

// status compares n with its previous version as restic does: equal
// means every recorded field is the same.
func status(prev, n *tree.Node) Status {
	switch {
	case prev == nil:
		return StatusNew
	case equalNodes(prev, n):
		return StatusUnmodified
	}
	return StatusChanged
}
