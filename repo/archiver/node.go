package archiver

import (
	"io/fs"
	"os/user"
	"strconv"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// nodeMaker turns file information into nodes as restic 0.18 records them
// on Linux.
type nodeMaker struct {
	fs        FS
	withAtime bool
	names     idNames
}

// node returns the node for the entry name at path, described by fi. If
// err is not nil and n is nil, the entry cannot be recorded; if both are
// set, n is complete except for what err describes (its extended
// attributes).
func (m *nodeMaker) node(name, path string, fi fs.FileInfo) (n *tree.Node, err error) {
	st := statOf(fi)
	n = &tree.Node{
		Name: name, Type: nodeType(fi.Mode()), Mode: fi.Mode(),
		ModTime: st.mtime, AccessTime: st.mtime, ChangeTime: st.ctime,
		UID: st.uid, GID: st.gid, User: m.names.user(st.uid), Group: m.names.group(st.gid),
		Inode: st.inode, DeviceID: st.dev,
	}
	if m.withAtime {
		n.AccessTime = st.atime
	}
	switch n.Type {
	case tree.TypeFile:
		n.Size = uint64(fi.Size())
		n.Links = st.nlink
	case tree.TypeSymlink:
		n.Links = st.nlink
		if n.LinkTarget, err = m.fs.Readlink(path); err != nil {
			return nil, err
		}
	case tree.TypeDev, tree.TypeCharDev:
		n.Links = st.nlink
		n.Device = st.rdev
	}
	n.ExtendedAttributes, err = m.fs.Xattrs(path)
	for i := range n.ExtendedAttributes {
		if n.ExtendedAttributes[i].Value == nil {
			n.ExtendedAttributes[i].Value = []byte{} // restic stores "", not null
		}
	}
	return n, err
}

// nodeType maps Go file mode type bits to a node type. Sockets map to
// TypeSocket, which Backup skips as restic does.
func nodeType(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return tree.TypeFile
	case m&fs.ModeDir != 0:
		return tree.TypeDir
	case m&fs.ModeSymlink != 0:
		return tree.TypeSymlink
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		return tree.TypeCharDev
	case m&fs.ModeDevice != 0:
		return tree.TypeDev
	case m&fs.ModeNamedPipe != 0:
		return tree.TypeFifo
	case m&fs.ModeSocket != 0:
		return tree.TypeSocket
	}
	return tree.TypeIrregular
}

// idNames caches user and group names by ID; an ID without a name maps to
// "".
type idNames struct {
	mu     sync.Mutex
	users  map[uint32]string
	groups map[uint32]string
}

func (c *idNames) user(uid uint32) string {
	return c.lookup(&c.users, uid, func(s string) (string, error) {
		u, err := user.LookupId(s)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

func (c *idNames) group(gid uint32) string {
	return c.lookup(&c.groups, gid, func(s string) (string, error) {
		g, err := user.LookupGroupId(s)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func (c *idNames) lookup(m *map[uint32]string, id uint32, fn func(string) (string, error)) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name, ok := (*m)[id]; ok {
		return name
	}
	if *m == nil {
		*m = map[uint32]string{}
	}
	name, _ := fn(strconv.FormatUint(uint64(id), 10))
	(*m)[id] = name
	return name
}
