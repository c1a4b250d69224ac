package restorer

import (
	"fmt"
	"path"
	"strings"
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/repo"
)

// fileState is a regular file being written. The walker creates it and
// holds one reference while queueing its blobs, each queued blob holds
// another; whoever drops the last sets the metadata and closes it.
type fileState struct {
	dir     *dirState
	rel     string
	node    *repo.Node
	fd      int
	pending atomic.Int64
}

// restoreFile creates the file n in d and queues its content, or links it
// to the file restored earlier for the same inode.
func (rs *restorer) restoreFile(d *dirState, rel string, n *repo.Node) error {
	key, shared := hardLink(n)
	if shared {
		if first, ok := rs.links[key]; ok {
			return rs.link(d, rel, n, first)
		}
		rs.links[key] = rel
	}
	sizes := make([]uint32, len(n.Content))
	var size uint64
	for i, id := range n.Content {
		s, ok, err := rs.r.BlobSize(rs.ctx, repo.DataBlob, id)
		if err == nil && !ok {
			err = fmt.Errorf("data blob %s: %w", id, repo.ErrNotFound)
		}
		if err != nil {
			return rs.pathError("restore", rel, err)
		}
		sizes[i] = s
		size += uint64(s)
	}
	if size != n.Size {
		return rs.pathError("restore", rel, fmt.Errorf("size mismatch: content is %d bytes, node says %d", size, n.Size))
	}
	fd, err := createAt(d.fd, n.Name, int64(n.Size))
	if err != nil {
		return rs.pathError("restore", rel, err)
	}
	rs.count(func(s *Stats) { s.Files++; s.Bytes += n.Size })
	f := &fileState{dir: d, rel: rel, node: n, fd: fd}
	f.pending.Store(1)
	d.refs.Add(1)
	defer rs.fileDone(f)
	var off int64
	for i, id := range n.Content {
		if _, zero := rs.zeros.Load(id); zero {
			rs.progress.Bytes(uint64(sizes[i]))
		} else {
			f.pending.Add(1)
			select {
			case rs.jobs <- blobJob{file: f, id: id, off: off, size: sizes[i]}:
			case <-rs.ctx.Done():
				f.pending.Add(-1)
				return rs.ctx.Err()
			}
		}
		off += int64(sizes[i])
	}
	return nil
}

// fileDone drops a reference to f; the last one finishes the file.
func (rs *restorer) fileDone(f *fileState) {
	if f.pending.Add(-1) != 0 {
		return
	}
	if !rs.failed() {
		if err := rs.setMeta(entry{fd: f.fd}, f.rel, f.node); err != nil {
			rs.fail(err)
		}
	}
	if err := closeFD(f.fd); err != nil {
		rs.fail(rs.pathError("close", f.rel, err))
	}
	rs.release(f.dir)
}

// link creates the file n in d as a hard link to the file restored
// earlier at first. The content and metadata are that file's.
func (rs *restorer) link(d *dirState, rel string, n *repo.Node, first string) error {
	var dirs []string
	if dir := path.Dir(first); dir != "." {
		dirs = strings.Split(dir, "/")
	}
	if err := linkAt(rs.root.fd, dirs, path.Base(first), d.fd, n.Name); err != nil {
		return rs.pathError("link", rel, fmt.Errorf("to %s: %w", rs.path(first), err))
	}
	rs.count(func(s *Stats) { s.Files++; s.HardLinks++ })
	return nil
}
