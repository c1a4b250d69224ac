package restorer

import (
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/repo"
)

// dirState is a directory of the restore, from when the walker enters it
// until everything in it is written. Its metadata is set, and its
// descriptor closed, when the last reference goes: the walker holds one
// while inside, and every child directory and every file still being
// written holds one. Setting the times last keeps the modification time
// that creating the entries changed.
type dirState struct {
	parent *dirState  // nil for the target
	name   string     // validated name in parent
	rel    string     // slash path from the target, "" for the target
	node   *repo.Node // nil for the target, whose metadata is left alone
	fd     int        // open directory, -1 until created; set by the walker
	refs   atomic.Int64
}

// ensure creates d and the directories above it if the walker has not yet
// done so. Directories are created lazily so that, with Include, only
// those leading to a selected entry exist.
func (rs *restorer) ensure(d *dirState) error {
	if d.fd >= 0 {
		return nil
	}
	if err := rs.ensure(d.parent); err != nil {
		return err
	}
	fd, err := mkdirAt(d.parent.fd, d.name)
	if err != nil {
		return rs.pathError("restore", d.rel, err)
	}
	d.fd = fd
	rs.count(func(s *Stats) { s.Dirs++ })
	return nil
}

// release drops a reference to d, finishing d, and then possibly its
// parents, when it was the last.
func (rs *restorer) release(d *dirState) {
	for d != nil && d.refs.Add(-1) == 0 {
		rs.finishDir(d)
		d = d.parent
	}
}

// finishDir sets the metadata of a directory whose entries are all
// written and closes it.
func (rs *restorer) finishDir(d *dirState) {
	if d.fd < 0 {
		return
	}
	if d.node != nil && !rs.failed() {
		if err := rs.setMeta(entry{fd: d.fd}, d.rel, d.node); err != nil {
			rs.fail(err)
		}
	}
	if err := closeFD(d.fd); err != nil {
		rs.fail(rs.pathError("close", d.rel, err))
	}
	d.fd = -1
}
