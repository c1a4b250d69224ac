package repo

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// Node is one entry of a tree: a file, directory, symlink or special file.
type Node = tree.Node

// Tree is a directory listing as stored in a tree blob.
type Tree = tree.Tree

// LoadTree loads and decodes a tree blob.
func (r *Repository) LoadTree(ctx context.Context, tid ID) (*Tree, error) {
	data, err := r.LoadBlob(ctx, TreeBlob, tid)
	if err != nil {
		return nil, fmt.Errorf("load tree %s: %w", tid.Str(), err)
	}
	t, err := tree.Decode(data)
	if err != nil {
		return nil, &IntegrityError{File: "tree", Blob: tid.String(), Err: err}
	}
	return t, nil
}

// WalkFunc is called for every node below a tree with the node's
// slash-separated path from the walk's root (starting with "/"). Returning
// SkipDir for a directory skips its contents.
type WalkFunc func(p string, n *Node) error

// SkipDir may be returned by a WalkFunc to skip a directory's contents.
var SkipDir = fmt.Errorf("skip this directory")

// Walk visits every node below the tree tid depth-first in name order,
// prefixing paths with prefix ("/" for a snapshot root).
func (r *Repository) Walk(ctx context.Context, tid ID, prefix string, fn WalkFunc) error {
	t, err := r.LoadTree(ctx, tid)
	if err != nil {
		return err
	}
	for _, n := range t.Nodes {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := path.Join(prefix, n.Name)
		err := fn(p, n)
		if err == SkipDir {
			continue
		}
		if err != nil {
			return err
		}
		if n.Type == tree.TypeDir && n.Subtree != nil {
			if err := r.Walk(ctx, *n.Subtree, p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// FindNode resolves a slash-separated path inside the tree rooted at tid.
// The root itself ("/" or "") is returned as a synthetic directory node
// whose Subtree is tid.
func (r *Repository) FindNode(ctx context.Context, tid ID, p string) (*Node, error) {
	root := tid
	cur := &Node{Name: "/", Type: tree.TypeDir, Subtree: &root}
	for _, part := range strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/") {
		if part == "" {
			continue
		}
		if cur.Type != tree.TypeDir || cur.Subtree == nil {
			return nil, fmt.Errorf("path %q: %q is not a directory: %w", p, cur.Name, ErrNotFound)
		}
		t, err := r.LoadTree(ctx, *cur.Subtree)
		if err != nil {
			return nil, err
		}
		var next *Node
		for _, n := range t.Nodes {
			if n.Name == part {
				next = n
				break
			}
		}
		if next == nil {
			return nil, fmt.Errorf("path %q: %w", p, ErrNotFound)
		}
		cur = next
	}
	return cur, nil
}
