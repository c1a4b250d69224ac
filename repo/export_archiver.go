package repo

import (
	"context"
	"io"
	"time"
)

// SaveFileContent splits rd with the repository's chunker (as restic does
// for every file) and saves the chunks through w, in parallel. It returns
// the file's content list, the number of bytes read and how many of the
// data blobs were new. An error from rd is returned as a *SourceError;
// nothing is undone, the caller decides whether to Abort w.
func (r *Repository) SaveFileContent(ctx context.Context, w *Writer, rd io.Reader) (content []ID, size uint64, newBlobs int, err error) {
	res, err := r.saveChunks(ctx, w, rd)
	return res.Content, res.Size, res.Blobs, err
}

// NewSnapshot returns a snapshot of paths taken at t, with the host, user,
// tags, parent and program version filled in from opts and the process
// environment the way every backup records them. Tree and Summary are left
// for the caller; nothing is saved.
func (r *Repository) NewSnapshot(paths []string, opts SnapshotOptions, t time.Time) *Snapshot {
	return r.newSnapshot(paths, opts, t)
}
