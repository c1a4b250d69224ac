package archiver

import (
	"bytes"
	"errors"
	"io"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
	"github.com/restic/chunker"
)

// smallFile is the chunker's minimum chunk size: a shorter file is always
// a single chunk, so it is read whole and saved as one blob without
// running the chunker.
const smallFile = chunker.MinSize

// fileJob is a regular file to read.
type fileJob struct {
	dir         *pendingDir
	slot        int
	node        *tree.Node
	fsPath, abs string
	prev        *tree.Node
}

// file reuses the parent snapshot's content for an unchanged file or
// queues the file for reading.
func (a *archiver) file(d *pendingDir, slot int, n *tree.Node, fsPath, abs string, prev *tree.Node) {
	if prev != nil && !changed(prev, n) && a.allKnown(prev.Content) {
		n.Content = prev.Content
		if a.progress != nil {
			a.progress.Add(int64(n.Size))
		}
		a.complete(d, slot, n, abs, prev)
		return
	}
	select {
	case a.jobs <- fileJob{dir: d, slot: slot, node: n, fsPath: fsPath, abs: abs, prev: prev}:
	case <-a.ctx.Done():
		a.childDone(d)
	}
}

// changed reports whether a file must be read again: restic's test of
// type, modification and change time, inode and size.
func changed(prev, n *tree.Node) bool {
	return prev.Type != tree.TypeFile || !prev.ModTime.Equal(n.ModTime) ||
		!prev.ChangeTime.Equal(n.ChangeTime) || prev.Inode != n.Inode || prev.Size != n.Size
}

// allKnown reports whether every blob of a previous file is still in the
// repository.
func (a *archiver) allKnown(content []repo.ID) bool {
	for _, id := range content {
		if !a.w.Has(repo.BlobHandle{ID: id, Type: repo.DataBlob}) {
			return false
		}
	}
	return true
}

// worker reads queued files until the queue is closed.
func (a *archiver) worker() {
	defer a.wg.Done()
	buf := make([]byte, smallFile)
	for j := range a.jobs {
		a.saveFile(j, buf)
	}
}

// saveFile reads a file and saves its content. A file that cannot be read
// is left out and reported; one that changed size while read is recorded
// with what was read.
func (a *archiver) saveFile(j fileJob, buf []byte) {
	if a.ctx.Err() != nil {
		a.childDone(j.dir)
		return
	}
	content, size, readErr, err := a.readFile(j.fsPath, j.node.Size, buf)
	switch {
	case err != nil:
		a.fail(err)
		a.childDone(j.dir)
		return
	case readErr != nil:
		a.itemError(j.abs, readErr)
		a.childDone(j.dir)
		return
	}
	a.mu.Lock()
	a.filesRead++
	a.bytesRead += size
	a.mu.Unlock()
	j.node.Content, j.node.Size = content, size
	a.complete(j.dir, j.slot, j.node, j.abs, j.prev)
}

// readFile returns the content list and size of the file at path; readErr
// is a problem with the file, err a fatal one with the repository.
func (a *archiver) readFile(path string, size uint64, buf []byte) (content []repo.ID, n uint64, readErr, err error) {
	f, err := a.fs.Open(path)
	if err != nil {
		return nil, 0, err, nil
	}
	defer f.Close()
	rd := repo.ProgressReader(f, a.progress)
	if size < smallFile {
		m, err := io.ReadFull(rd, buf)
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return a.saveSmall(buf[:m])
		case err != nil:
			return nil, 0, err, nil
		}
		rd = io.MultiReader(bytes.NewReader(buf[:m]), rd) // it grew
	}
	a.big <- struct{}{}
	defer func() { <-a.big }()
	content, n, _, err = a.r.SaveFileContent(a.ctx, a.w, rd)
	if se := (*repo.SourceError)(nil); errors.As(err, &se) {
		return nil, 0, se.Err, nil
	}
	if content == nil && err == nil {
		content = []repo.ID{}
	}
	return content, n, nil, err
}

// saveSmall saves the whole content of a small file as one blob.
func (a *archiver) saveSmall(data []byte) ([]repo.ID, uint64, error, error) {
	if len(data) == 0 {
		return []repo.ID{}, 0, nil, nil
	}
	id, _, err := a.w.SaveBlob(a.ctx, repo.DataBlob, data)
	if err != nil {
		return nil, 0, nil, err
	}
	return []repo.ID{id}, uint64(len(data)), nil, nil
}
