package restorer

import (
	"context"
	"fmt"
	"path"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// visitor receives the entries a walk selects, depth-first in the order
// stored. rel is the entry's slash-separated path from the walk's root,
// built only from validated names.
type visitor interface {
	// enterDir is called before a directory's entries; selected tells
	// whether the directory itself is selected or is only entered because
	// entries below it may be. leaveDir is called after its entries, also
	// when walking them failed.
	enterDir(rel string, n *repo.Node, selected bool) error
	leaveDir()
	// leaf is called for every selected entry that is not a directory.
	leaf(rel string, n *repo.Node) error
}

// walk loads the tree root, which is the snapshot directory base, and
// visits what m selects below it. Every node of every tree loaded is
// checked with checkTree before any of them is visited.
func walk(ctx context.Context, r *repo.Repository, root repo.ID, base string, m *matcher, v visitor) error {
	return walkTree(ctx, r, root, base, "", m == nil, m, v)
}

func walkTree(ctx context.Context, r *repo.Repository, tid repo.ID, base, rel string, selected bool, m *matcher, v visitor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := r.LoadTree(ctx, tid)
	if err != nil {
		return fmt.Errorf("restore %s: %w", path.Join(base, rel), err)
	}
	if err := checkTree(t); err != nil {
		return fmt.Errorf("tree %q: %w", path.Join(base, rel), err)
	}
	for _, n := range t.Nodes {
		if err := ctx.Err(); err != nil {
			return err
		}
		crel := path.Join(rel, n.Name)
		sel, descend := selected, selected
		if !selected {
			sel, descend = m.match(path.Join(base, crel))
		}
		switch {
		case n.Type == tree.TypeDir && descend:
			if err := v.enterDir(crel, n, sel); err != nil {
				v.leaveDir()
				return err
			}
			err := walkTree(ctx, r, *n.Subtree, base, crel, sel, m, v)
			v.leaveDir()
			if err != nil {
				return err
			}
		case n.Type != tree.TypeDir && sel:
			if err := v.leaf(crel, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTree validates every node of t and refuses two nodes with the same
// name, which could make a later entry land in or on an earlier one.
func checkTree(t *repo.Tree) error {
	sorted := true
	for i, n := range t.Nodes {
		if err := n.Validate(); err != nil {
			return err
		}
		if n.Type == tree.TypeDir && n.Subtree == nil {
			return fmt.Errorf("%w: directory %q has no subtree", tree.ErrInvalidNode, n.Name)
		}
		if i > 0 && t.Nodes[i-1].Name >= n.Name {
			if t.Nodes[i-1].Name == n.Name {
				return fmt.Errorf("%q: %w", n.Name, tree.ErrDuplicateName)
			}
			sorted = false
		}
	}
	if sorted {
		return nil
	}
	seen := make(map[string]bool, len(t.Nodes))
	for _, n := range t.Nodes {
		if seen[n.Name] {
			return fmt.Errorf("%q: %w", n.Name, tree.ErrDuplicateName)
		}
		seen[n.Name] = true
	}
	return nil
}
