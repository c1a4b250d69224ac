package archiver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// findParent returns the explicit parent, or the latest snapshot of host
// not newer than t whose paths include every target, or nil.
func findParent(ctx context.Context, r *repo.Repository, explicit *repo.ID, host string, targets []string, t time.Time) (*repo.Snapshot, error) {
	if explicit != nil {
		sn, err := r.LoadSnapshot(ctx, *explicit)
		if err != nil {
			return nil, fmt.Errorf("load parent snapshot: %w", err)
		}
		return sn, nil
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{Hosts: []string{host}, Paths: targets})
	if err != nil {
		return nil, fmt.Errorf("find parent snapshot: %w", err)
	}
	for i := len(snaps) - 1; i >= 0; i-- {
		if !snaps[i].Time.After(t) {
			return snaps[i], nil
		}
	}
	return nil, nil
}

// prevDir is a directory of the parent snapshot, for looking up the
// previous version of entries by name.
type prevDir struct {
	nodes  []*tree.Node
	sorted bool
	byName map[string]*tree.Node
}

func newPrevDir(t *tree.Tree) *prevDir {
	d := &prevDir{nodes: t.Nodes, sorted: slices.IsSortedFunc(t.Nodes, func(a, b *tree.Node) int {
		return strings.Compare(a.Name, b.Name)
	})}
	if !d.sorted {
		d.byName = make(map[string]*tree.Node, len(t.Nodes))
		for _, n := range t.Nodes {
			d.byName[n.Name] = n
		}
	}
	return d
}

// lookup returns the node named name, or nil. A nil *prevDir has no nodes.
func (d *prevDir) lookup(name string) *tree.Node {
	if d == nil {
		return nil
	}
	if !d.sorted {
		return d.byName[name]
	}
	i, ok := slices.BinarySearchFunc(d.nodes, name, func(n *tree.Node, name string) int {
		return strings.Compare(n.Name, name)
	})
	if !ok {
		return nil
	}
	return d.nodes[i]
}

// loadPrev loads the subtree of the previous node n if it is a directory.
// A tree that cannot be loaded is logged and treated as absent: its files
// are read again.
func (a *archiver) loadPrev(n *tree.Node) *prevDir {
	if n == nil || n.Type != tree.TypeDir || n.Subtree == nil {
		return nil
	}
	data, err := a.r.LoadBlob(a.ctx, repo.TreeBlob, *n.Subtree)
	var t *tree.Tree
	if err == nil {
		t, err = tree.Decode(data)
	}
	if err != nil {
		if a.ctx.Err() == nil {
			a.opts.Logger.Warn("cannot load tree of parent snapshot", "tree", n.Subtree.Str(), "err", err)
		}
		return nil
	}
	return newPrevDir(t)
}
