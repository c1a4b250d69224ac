package backup

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// restoreFiles restores every file target of j from snap, in order,
// stopping at the first failure.
func (r *Restorer) restoreFiles(ctx context.Context, j *job, snap *repo.Snapshot) error {
	for _, f := range j.files {
		if err := r.restorePath(ctx, snap, f, j); err != nil {
			return fmt.Errorf("restore files %s into %s: %w", sourceLabel(f.source), f.target, err)
		}
	}
	return nil
}

// restorePath restores one path of snap: a directory is restored into a
// staging directory inside the target and swapped in (swapDir); a file
// is restored into a staging directory beside it and renamed over it.
// j's progress (step "files PATH") is told the bytes written.
func (r *Restorer) restorePath(ctx context.Context, snap *repo.Snapshot, f fileTarget, j *job) error {
	sub := snapshotPath(f.source)
	n, err := r.repo.FindNode(ctx, *snap.Tree, sub)
	if err != nil {
		return fmt.Errorf("%w: snapshot %s: %v", ErrNoSnapshot, snap.ID().Str(), err)
	}
	target := canonicalPath(f.target)
	if n.Type != tree.TypeDir {
		return r.restoreFile(ctx, snap, sub, target, fileProgress(j, f))
	}
	perm := n.Mode.Perm()
	if perm == 0 {
		perm = 0o755
	}
	if err := os.MkdirAll(target, perm); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(target, stagingPrefix)
	if err != nil {
		return fmt.Errorf("make a staging directory: %w", err)
	}
	defer os.RemoveAll(staging)
	opts := restorer.Options{SubPath: sub, Logger: r.log, Progress: fileProgress(j, f)}
	if _, err := restorer.Restore(ctx, r.repo, snap, staging, opts); err != nil {
		return err
	}
	done, err := swapDir(target, staging, j.keep)
	if done && err != nil {
		r.log.Warn("restored, but the old content could not be removed", "target", target, "error", err)
		return nil
	}
	return err
}

// restoreFile restores the file sub of snap over the file target,
// reporting to prog (nil for none).
func (r *Restorer) restoreFile(ctx context.Context, snap *repo.Snapshot, sub, target string, prog restorer.Progress) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(filepath.Dir(target), stagingPrefix)
	if err != nil {
		return fmt.Errorf("make a staging directory: %w", err)
	}
	defer os.RemoveAll(staging)
	dir := path.Dir(sub)
	if dir == "." {
		dir = ""
	}
	opts := restorer.Options{SubPath: dir, Include: []string{"/" + escapeGlob(sub)}, Logger: r.log, Progress: prog}
	if _, err := restorer.Restore(ctx, r.repo, snap, staging, opts); err != nil {
		return err
	}
	return os.Rename(filepath.Join(staging, path.Base(sub)), target)
}

// snapshotPath returns where a backed-up path is in the file snapshot,
// slash-separated and without a leading slash: an absolute path below the
// root, a relative one with its leading ".." elements dropped (restic's
// rule); "" for the whole snapshot.
func snapshotPath(p string) string {
	if p == "" {
		return ""
	}
	c := path.Clean(filepath.ToSlash(p))
	for strings.HasPrefix(c, "../") {
		c = c[3:]
	}
	if c == "." || c == ".." || c == "/" {
		return ""
	}
	return strings.TrimPrefix(c, "/")
}
