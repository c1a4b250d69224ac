package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// ProgramVersion is recorded in every snapshot this package writes.
var ProgramVersion = "kamal-backup dev"

// SnapshotOptions describe the snapshot a backup writes.
type SnapshotOptions struct {
	// Tags, Host and Time are recorded in the snapshot; empty Host means
	// os.Hostname and zero Time means now.
	Tags []string
	Host string
	Time time.Time
	// Parent is recorded as the snapshot's parent when set.
	Parent *ID
	// Writer tunes blob writing.
	Writer WriterOptions
	// Progress, if set, is told the bytes read from the source: the
	// stream of BackupStream, the files of archiver.Backup. Nil means no
	// reports.
	Progress Progress
	// Extra, if set, is called by BackupStream (and only by it) once the
	// stream has been read to its end without error, and returns small
	// files to store beside the stream's file, in the same directory
	// (see ExtraFile). It is called at most once. An error from it fails
	// the backup as a failing stream does: no snapshot is written. The
	// snapshot's Paths still name the stream's file only, so
	// restic dump <snapshot> <file> reads it as before.
	Extra func(ctx context.Context) ([]ExtraFile, error)
}

// BackupStream stores the content of rd as the single file name (a
// relative path; "/" separates intermediate directories, which are created
// as restic backup --stdin --stdin-filename does) and writes a snapshot.
// If rd fails, no snapshot is written and the error is a *SourceError.
// opts.Extra adds files beside it, in the same directory.
func (r *Repository) BackupStream(ctx context.Context, name string, rd io.Reader, opts SnapshotOptions) (*Snapshot, error) {
	clean := path.Clean("/" + name)
	if name == "" || clean == "/" || strings.Contains(name, "\x00") {
		return nil, fmt.Errorf("invalid stdin filename %q", name)
	}
	start := r.now()
	snapTime := opts.Time
	if snapTime.IsZero() {
		snapTime = start
	}
	w, err := r.NewWriter(ctx, opts.Writer)
	if err != nil {
		return nil, err
	}
	if p := opts.Progress; p != nil {
		p.Start(-1)
		defer p.Done()
		rd = ProgressReader(rd, p)
	}
	res, err := r.saveChunks(ctx, w, rd)
	if err != nil {
		w.Abort(err)
		var se *SourceError
		if errors.As(err, &se) {
			se.Name = strings.TrimPrefix(clean, "/")
		}
		return nil, err
	}
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	parts := strings.Split(strings.TrimPrefix(clean, "/"), "/")
	node := &tree.Node{Name: parts[len(parts)-1], Type: tree.TypeFile, Mode: 0o644,
		ModTime: snapTime, AccessTime: snapTime, ChangeTime: snapTime, UID: uid, GID: gid,
		Size: res.Size, Content: res.Content}
	if node.Content == nil {
		node.Content = []ID{}
	}
	extra, extraSize, err := r.extraNodes(ctx, w, opts, node.Name, *node)
	if err != nil {
		w.Abort(err)
		return nil, err
	}
	var treeBlobs int
	for i := len(parts) - 1; i >= 0; i-- {
		t := &tree.Tree{}
		if i == len(parts)-1 {
			t.Nodes = append(t.Nodes, extra...)
			slices.SortFunc(t.Nodes, func(a, b *tree.Node) int { return strings.Compare(a.Name, b.Name) })
		}
		if err := t.Insert(node); err != nil {
			w.Abort(err)
			return nil, err
		}
		data, err := tree.Encode(t)
		if err != nil {
			w.Abort(err)
			return nil, err
		}
		tid, isNew, err := w.SaveBlob(ctx, TreeBlob, data)
		if err != nil {
			w.Abort(err)
			return nil, err
		}
		if isNew {
			treeBlobs++
		}
		if i == 0 {
			node = &tree.Node{Subtree: &tid}
			break
		}
		node = &tree.Node{Name: parts[i-1], Type: tree.TypeDir, Mode: os.ModeDir | 0o755,
			ModTime: snapTime, AccessTime: snapTime, ChangeTime: snapTime, UID: uid, GID: gid, Subtree: &tid}
	}
	stats, err := w.Flush(ctx)
	if err != nil {
		return nil, err
	}
	sn := r.newSnapshot([]string{clean}, opts, snapTime)
	sn.Tree = node.Subtree
	files := uint(1 + len(extra))
	sn.Summary = &SnapshotSummary{BackupStart: start, BackupEnd: r.now(), FilesNew: files,
		DirsNew: uint(len(parts) - 1), DataBlobs: stats.DataBlobs, TreeBlobs: stats.TreeBlobs,
		DataAdded: stats.DataAdded, DataAddedPacked: stats.DataAddedPacked,
		TotalFilesProcessed: files, TotalBytesProcessed: res.Size + extraSize}
	if _, err := r.SaveSnapshot(ctx, sn); err != nil {
		return nil, err
	}
	return sn, nil
}

// newSnapshot fills the fields every backup records.
func (r *Repository) newSnapshot(paths []string, opts SnapshotOptions, t time.Time) *Snapshot {
	host := opts.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	sn := &Snapshot{Time: t, Paths: paths, Hostname: host, Tags: opts.Tags, Parent: opts.Parent,
		UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), ProgramVersion: ProgramVersion}
	if u, err := user.Current(); err == nil {
		sn.Username = u.Username
	}
	return sn
}
