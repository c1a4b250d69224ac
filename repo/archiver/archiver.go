package archiver

import (
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// archiver is the state of one Backup call.
type archiver struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	r        *repo.Repository
	w        *repo.Writer
	opts     Options
	fs       FS
	meta     *nodeMaker
	excl     excluder
	jobs     chan fileJob
	big      chan struct{}  // bounds files being chunked at once
	progress repo.Progress  // opts.Snapshot.Progress; nil means none
	wg       sync.WaitGroup // file workers

	walkers chan struct{} // bounds goroutines listing directories
	walking sync.WaitGroup

	mu        sync.Mutex
	sum       repo.SnapshotSummary
	filesRead uint
	bytesRead uint64
	errs      []*ItemError

	root        repo.ID // set when the root tree is saved
	rootEntries int
}

// Backup saves the files and directories at paths into r and writes a
// snapshot of them, as "restic backup PATH..." does; see the package
// documentation for what is recorded. The caller must hold a (shared) lock
// on the repository.
//
// Targets that do not exist are skipped (Result.Skipped); if none exists
// the error is ErrNoTargets. Entries that vanish or cannot be read while
// walking are left out and listed in Result.Errors, and the snapshot is
// written. If ctx is cancelled or the repository fails, the blobs written
// so far are abandoned (prune removes them), no snapshot is written and
// the error is returned along with the partial Result.
//
// Options.Snapshot.Progress, if set, is told the bytes of file content
// processed: read, or found unchanged since the parent snapshot. The
// total is not known in advance (-1).
func Backup(ctx context.Context, r *repo.Repository, paths []string, opts Options) (*repo.Snapshot, Result, error) {
	opts = opts.withDefaults()
	if p := opts.Snapshot.Progress; p != nil {
		p.Start(-1)
		defer p.Done()
	}
	var res Result
	start := opts.Now()
	snapTime := opts.Snapshot.Time
	if snapTime.IsZero() {
		snapTime = start
	}
	excl, err := newExcluder(opts.Excludes)
	if err != nil {
		return nil, res, err
	}
	root, abs, missing, err := buildTargets(opts.FS, paths)
	if err != nil {
		return nil, res, err
	}
	res.Skipped = missing
	for _, p := range missing {
		opts.Logger.Warn("target does not exist, skipping", "path", p)
	}
	if len(abs) == 0 {
		return nil, res, ErrNoTargets
	}
	var parent *repo.Snapshot
	if !opts.NoParent {
		host := opts.Snapshot.Host
		if host == "" {
			host, _ = os.Hostname()
		}
		if parent, err = findParent(ctx, r, opts.Parent, host, abs, snapTime); err != nil {
			return nil, res, err
		}
	}
	w, err := r.NewWriter(ctx, opts.Snapshot.Writer)
	if err != nil {
		return nil, res, err
	}
	a := &archiver{r: r, w: w, opts: opts, fs: opts.FS, excl: excl, progress: opts.Snapshot.Progress,
		meta: &nodeMaker{fs: opts.FS, withAtime: opts.WithAtime},
		jobs: make(chan fileJob, opts.Concurrency), big: make(chan struct{}, 2),
		walkers: make(chan struct{}, runtime.GOMAXPROCS(0))}
	a.ctx, a.cancel = context.WithCancelCause(ctx)
	defer a.cancel(nil)
	err = a.run(root, parent)
	res = a.result(res)
	if err == nil && a.rootEntries == 0 {
		err = ErrEmptySnapshot
	}
	if err != nil {
		w.Abort(err)
		return nil, res, err
	}
	sn, err := a.save(ctx, &res, abs, parent, start, snapTime)
	return sn, res, err
}

// save flushes the writer, then writes the snapshot, completing res.
func (a *archiver) save(ctx context.Context, res *Result, paths []string, parent *repo.Snapshot, start, snapTime time.Time) (*repo.Snapshot, error) {
	stats, err := a.w.Flush(ctx)
	if err != nil {
		return nil, err
	}
	s := &res.Summary
	s.BackupStart, s.BackupEnd = start, a.opts.Now()
	s.DataBlobs, s.TreeBlobs = stats.DataBlobs, stats.TreeBlobs
	s.DataAdded, s.DataAddedPacked = stats.DataAdded, stats.DataAddedPacked
	snapOpts := a.opts.Snapshot
	snapOpts.Parent = nil
	if parent != nil {
		pid := parent.ID()
		snapOpts.Parent, res.Parent = &pid, &pid
	}
	sn := a.r.NewSnapshot(paths, snapOpts, snapTime)
	sn.Tree = &a.root
	sn.Excludes = a.opts.Excludes
	summary := res.Summary
	sn.Summary = &summary
	if _, err := a.r.SaveSnapshot(ctx, sn); err != nil {
		return nil, err
	}
	return sn, nil
}

// run saves the target tree with the file workers and returns after the
// root tree is saved or the backup failed.
func (a *archiver) run(root *target, parent *repo.Snapshot) error {
	for range a.opts.Concurrency {
		a.wg.Add(1)
		go a.worker()
	}
	var prev *prevDir
	if parent != nil {
		prev = a.loadPrev(&repo.Node{Type: tree.TypeDir, Subtree: parent.Tree})
	}
	kids := root.sortedKids()
	d := newPendingDir(nil, 0, nil, nil, "/", len(kids))
	for i, k := range kids {
		a.targetEntry(d, i, k, prev.lookup(k.name))
	}
	a.childDone(d)
	a.walking.Wait()
	close(a.jobs)
	a.wg.Wait()
	if err := context.Cause(a.ctx); err != nil {
		return err
	}
	return nil
}

// fail stops the backup because of a fatal error.
func (a *archiver) fail(err error) { a.cancel(err) }

// itemError records a non-fatal error about the entry at p.
func (a *archiver) itemError(p string, err error) {
	if a.ctx.Err() != nil && errors.Is(err, context.Cause(a.ctx)) {
		return
	}
	a.mu.Lock()
	a.errs = append(a.errs, &ItemError{Path: p, Err: err})
	a.mu.Unlock()
	a.opts.Logger.Warn("cannot back up entry", "path", p, "err", err)
	a.opts.Progress.Error(p, err)
}

// result copies the counters into res.
func (a *archiver) result(res Result) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	res.Summary = a.sum
	res.FilesRead, res.BytesRead = a.filesRead, a.bytesRead
	res.Errors = slices.Clone(a.errs)
	slices.SortStableFunc(res.Errors, func(x, y *ItemError) int { return strings.Compare(x.Path, y.Path) })
	return res
}
