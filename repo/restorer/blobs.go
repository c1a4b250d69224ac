package restorer

import (
	"bytes"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo"
)

// holeBlock is the granularity, aligned to file offsets, at which zero
// bytes are skipped rather than written: file systems allocate whole
// blocks, so only all-zero blocks can become holes.
const holeBlock = 4096

// zeroBlock is compared against; it is never written to.
var zeroBlock [holeBlock]byte

// blobJob is one data blob to load and write at off in a file.
type blobJob struct {
	file *fileState
	id   repo.ID
	off  int64
	size uint32
}

// worker writes queued blobs until the queue is closed. After a failure it
// only drops the references the jobs hold.
func (rs *restorer) worker() {
	defer rs.wg.Done()
	for j := range rs.jobs {
		if !rs.failed() {
			if err := rs.writeBlob(j); err != nil {
				rs.fail(err)
			}
		}
		rs.fileDone(j.file)
	}
}

// writeBlob loads one blob and writes it into its file, leaving holes
// where it holds zeros.
func (rs *restorer) writeBlob(j blobJob) error {
	data, err := rs.r.LoadBlob(rs.ctx, repo.DataBlob, j.id)
	if err != nil {
		return rs.pathError("restore", j.file.rel, err)
	}
	if len(data) != int(j.size) {
		return rs.pathError("restore", j.file.rel, fmt.Errorf("blob %s has %d bytes, the index says %d", j.id.Str(), len(data), j.size))
	}
	allZero, err := writeSparse(j.file.fd, data, j.off)
	if err != nil {
		return rs.pathError("write", j.file.rel, err)
	}
	if allZero {
		rs.zeros.Store(j.id, true)
	}
	rs.progress.Bytes(uint64(len(data)))
	return nil
}

// writeSparse writes data at off in the file fd, skipping the blocks that
// hold only zeros: the file was created empty and extended to its size,
// so they read as zeros anyway. It reports whether data is all zeros.
func writeSparse(fd int, data []byte, off int64) (allZero bool, err error) {
	allZero = true
	start := -1 // start of the non-zero run not yet written
	for i := 0; i < len(data); {
		end := min(i+holeBlock-int((off+int64(i))%holeBlock), len(data))
		switch {
		case !bytes.Equal(data[i:end], zeroBlock[:end-i]):
			allZero = false
			if start < 0 {
				start = i
			}
		case start >= 0:
			if err := pwrite(fd, data[start:i], off+int64(start)); err != nil {
				return false, err
			}
			start = -1
		}
		i = end
	}
	if start >= 0 {
		return false, pwrite(fd, data[start:], off+int64(start))
	}
	return allZero, nil
}
