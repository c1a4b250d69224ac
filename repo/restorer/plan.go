package restorer

import (
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// kind is what Restore does with a node.
type kind int

const (
	kindSkip    kind = iota // not restorable here
	kindFile                // regular file
	kindSymlink             // symbolic link
	kindSpecial             // FIFO or device node
)

// classify tells what Restore does with the non-directory node n.
func classify(n *repo.Node, asRoot bool) kind {
	switch n.Type {
	case tree.TypeFile:
		return kindFile
	case tree.TypeSymlink:
		return kindSymlink
	case tree.TypeFifo:
		return kindSpecial
	case tree.TypeDev, tree.TypeCharDev:
		if asRoot {
			return kindSpecial
		}
	}
	return kindSkip
}

// linkKey identifies the inode that several file nodes share.
type linkKey struct{ dev, inode uint64 }

// hardLink returns the inode n shares with other nodes, if any.
func hardLink(n *repo.Node) (linkKey, bool) {
	return linkKey{n.DeviceID, n.Inode}, n.Links > 1 && n.Inode != 0
}

// planner is the visitor of the first pass: it checks every tree (walk
// does) and counts what the second pass will create, without writing.
type planner struct {
	asRoot bool
	total  Stats
	links  map[linkKey]bool
	dirs   []plannedDir
}

// plannedDir is a directory being walked: it will be created if selected
// or if anything below it is.
type plannedDir struct{ selected, used bool }

func (p *planner) enterDir(_ string, _ *repo.Node, selected bool) error {
	p.dirs = append(p.dirs, plannedDir{selected: selected})
	return nil
}

func (p *planner) leaveDir() {
	d := p.dirs[len(p.dirs)-1]
	p.dirs = p.dirs[:len(p.dirs)-1]
	if d.selected || d.used {
		p.total.Dirs++
		p.markUsed()
	}
}

// markUsed records that the innermost directory being walked is created.
func (p *planner) markUsed() {
	if len(p.dirs) > 0 {
		p.dirs[len(p.dirs)-1].used = true
	}
}

func (p *planner) leaf(_ string, n *repo.Node) error {
	switch classify(n, p.asRoot) {
	case kindSkip:
		p.total.Skipped++
		return nil
	case kindFile:
		p.total.Files++
		if key, ok := hardLink(n); ok && p.links[key] {
			p.total.HardLinks++
		} else {
			if ok {
				p.links[key] = true
			}
			p.total.Bytes += n.Size
		}
	case kindSymlink:
		p.total.Symlinks++
	case kindSpecial:
		p.total.Special++
	}
	p.markUsed()
	return nil
}
