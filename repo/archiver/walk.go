package archiver

import (
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// targetEntry saves one child of the target tree into slot of d.
func (a *archiver) targetEntry(d *pendingDir, slot int, t *target, prev *tree.Node) {
	if t.leaf {
		a.entry(d, slot, t.name, t.fsPath, t.abs, prev)
		return
	}
	if a.ctx.Err() != nil {
		a.childDone(d)
		return
	}
	// A parent directory of a target: its own metadata (stat follows a
	// symlink, the xattrs are the symlink's, as in restic), but only the
	// targets as entries.
	fi, err := a.fs.Stat(t.fsPath)
	var n *tree.Node
	if err == nil {
		n, err = a.meta.node(t.name, t.fsPath, fi)
	}
	if err != nil {
		a.itemError(t.abs, err)
	}
	if n == nil || n.Type != tree.TypeDir {
		if n != nil {
			a.itemError(t.abs, fmt.Errorf("not a directory"))
		}
		a.childDone(d)
		return
	}
	kids := t.sortedKids()
	sub := newPendingDir(d, slot, n, prev, t.abs, len(kids))
	pd := a.loadPrev(prev)
	for i, k := range kids {
		a.targetEntry(sub, i, k, pd.lookup(k.name))
	}
	a.childDone(sub)
}

// entry saves the directory entry at fsPath (absolute path abs) into slot
// of d, unless it is excluded, vanished or a socket.
func (a *archiver) entry(d *pendingDir, slot int, name, fsPath, abs string, prev *tree.Node) {
	if a.ctx.Err() != nil || a.excl.excluded(abs) {
		a.childDone(d)
		return
	}
	fi, err := a.fs.Lstat(fsPath)
	if err != nil {
		a.itemError(abs, err)
		a.childDone(d)
		return
	}
	if nodeType(fi.Mode()) == tree.TypeSocket {
		a.childDone(d) // restic skips sockets silently
		return
	}
	n, err := a.meta.node(name, fsPath, fi)
	if err != nil {
		a.itemError(abs, err)
		if n == nil {
			a.childDone(d)
			return
		}
	}
	switch n.Type {
	case tree.TypeDir:
		a.spawn(func() { a.dir(d, slot, n, fsPath, abs, prev) })
	case tree.TypeFile:
		a.file(d, slot, n, fsPath, abs, prev)
	default:
		a.complete(d, slot, n, abs, prev)
	}
}

// dir lists the directory n and saves its entries; an unreadable
// directory is left out, as restic does.
func (a *archiver) dir(d *pendingDir, slot int, n *tree.Node, fsPath, abs string, prev *tree.Node) {
	names, err := a.fs.ReadDirNames(fsPath)
	if err != nil {
		a.itemError(abs, err)
		a.childDone(d)
		return
	}
	slices.Sort(names)
	sub := newPendingDir(d, slot, n, prev, abs, len(names))
	pd := a.loadPrev(prev)
	for i, name := range names {
		a.entry(sub, i, name, join(fsPath, name), join(abs, name), pd.lookup(name))
	}
	a.childDone(sub)
}

// spawn runs fn in a new goroutine if fewer than GOMAXPROCS directories
// are being listed in other goroutines, else right away: this spreads
// listing, lstat and parent-tree decoding over the cores and never waits.
func (a *archiver) spawn(fn func()) {
	select {
	case a.walkers <- struct{}{}:
		a.walking.Add(1)
		go func() {
			defer func() { <-a.walkers; a.walking.Done() }()
			fn()
		}()
	default:
		fn()
	}
}

// join appends name to dir without cleaning.
func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
