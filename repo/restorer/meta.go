package restorer

import (
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// entry names an entry to set metadata on: by its open descriptor fd,
// or, when fd is -1, by its name in the open directory dir.
type entry struct {
	fd   int
	dir  int
	name string
}

// setMeta restores the owner (when running as root), mode, extended
// attributes and times of the entry at rel, in that order: changing the
// owner clears setuid and setgid bits, and the times must come last.
// Extended attributes that cannot be set are warnings, not errors.
func (rs *restorer) setMeta(e entry, rel string, n *repo.Node) error {
	if rs.asRoot {
		if err := chown(e, n.UID, n.GID); err != nil {
			return rs.pathError("chown", rel, err)
		}
	}
	if n.Type != tree.TypeSymlink {
		if err := chmod(e, n.Mode); err != nil {
			return rs.pathError("chmod", rel, err)
		}
	}
	for _, xa := range n.ExtendedAttributes {
		if err := setxattr(e, xa.Name, xa.Value); err != nil {
			rs.warn("cannot restore extended attribute "+xa.Name, rel, err)
		}
	}
	if err := setTimes(e, n.AccessTime, n.ModTime); err != nil {
		return rs.pathError("set times of", rel, err)
	}
	return nil
}
