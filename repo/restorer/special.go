package restorer

import (
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// special is the type of a FIFO or device node.
type special int

const (
	modeFifo special = iota
	modeBlock
	modeChar
)

// restoreSymlink creates the symlink n in d. Its target is restored as
// stored, absolute or relative, and never followed.
func (rs *restorer) restoreSymlink(d *dirState, rel string, n *repo.Node) error {
	if err := symlinkAt(n.LinkTarget, d.fd, n.Name); err != nil {
		return rs.pathError("restore", rel, err)
	}
	rs.count(func(s *Stats) { s.Symlinks++ })
	return rs.setMeta(entry{fd: -1, dir: d.fd, name: n.Name}, rel, n)
}

// restoreSpecial creates the FIFO or device node n in d.
func (rs *restorer) restoreSpecial(d *dirState, rel string, n *repo.Node) error {
	var err error
	switch n.Type {
	case tree.TypeFifo:
		err = mknodAt(d.fd, n.Name, modeFifo, 0)
	case tree.TypeDev:
		err = mknodAt(d.fd, n.Name, modeBlock, n.Device)
	default:
		err = mknodAt(d.fd, n.Name, modeChar, n.Device)
	}
	if err != nil {
		return rs.pathError("restore", rel, err)
	}
	rs.count(func(s *Stats) { s.Special++ })
	return rs.setMeta(entry{fd: -1, dir: d.fd, name: n.Name}, rel, n)
}
