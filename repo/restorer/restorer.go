package restorer

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo"
)

// zeroChunk is the size of the blobs restic's chunker cuts runs of zero
// bytes into (its minimum chunk size): their ID is known in advance, so
// they need not even be loaded.
const zeroChunk = 512 << 10

// restorer is the visitor of the second pass, which writes. Its walk runs
// in one goroutine (the walker), which creates directories, links and
// special files itself and hands file content to workers as blob jobs.
type restorer struct {
	ctx      context.Context
	cancel   context.CancelFunc
	r        *repo.Repository
	target   string
	asRoot   bool
	log      *slog.Logger
	progress Progress

	root  *dirState
	stack []*dirState        // directories being walked; walker only
	links map[linkKey]string // path of the first file of each shared inode; walker only
	zeros sync.Map           // repo.ID of data blobs known to hold only zeros
	jobs  chan blobJob       // content to load and write
	wg    sync.WaitGroup     // workers

	mu    sync.Mutex
	stats Stats
	err   error // first error; the context is canceled when it is set
}

func newRestorer(ctx context.Context, r *repo.Repository, target string, asRoot bool, log *slog.Logger, progress Progress) (*restorer, error) {
	fd, err := openTarget(target)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	rs := &restorer{ctx: ctx, cancel: cancel, r: r, target: target, asRoot: asRoot, log: log, progress: progress,
		root: &dirState{fd: fd}, links: map[linkKey]string{}}
	rs.root.refs.Store(1)
	rs.zeros.Store(repo.ID(sha256.Sum256(make([]byte, zeroChunk))), true)
	return rs, nil
}

// run restores the tree root, the snapshot directory base, into the
// target and returns what it created and the first error.
func (rs *restorer) run(root repo.ID, base string, m *matcher) (Stats, error) {
	workers := 2 * runtime.GOMAXPROCS(0)
	rs.jobs = make(chan blobJob, workers)
	for range workers {
		rs.wg.Add(1)
		go rs.worker()
	}
	if err := walk(rs.ctx, rs.r, root, base, m, rs); err != nil {
		rs.fail(err)
	}
	close(rs.jobs)
	rs.wg.Wait()
	rs.release(rs.root)
	rs.cancel()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.stats, rs.err
}

// fail records err if it is the first error and stops the restore.
func (rs *restorer) fail(err error) {
	rs.mu.Lock()
	if rs.err == nil {
		rs.err = err
	}
	rs.mu.Unlock()
	rs.cancel()
}

// failed reports whether the restore is stopping.
func (rs *restorer) failed() bool { return rs.ctx.Err() != nil }

// warn logs a problem that does not stop the restore and counts it.
func (rs *restorer) warn(msg, rel string, err error) {
	rs.log.Warn(msg, "path", rs.path(rel), "err", err)
	rs.count(func(s *Stats) { s.Warnings++ })
}

// count updates the statistics.
func (rs *restorer) count(f func(*Stats)) {
	rs.mu.Lock()
	f(&rs.stats)
	rs.mu.Unlock()
}

// path returns the file system path of the entry at rel.
func (rs *restorer) path(rel string) string { return filepath.Join(rs.target, filepath.FromSlash(rel)) }

// pathError wraps err with the operation and the path of rel.
func (rs *restorer) pathError(op, rel string, err error) error {
	if errors.Is(err, context.Canceled) && rs.failed() {
		return err
	}
	return fmt.Errorf("%s %s: %w", op, rs.path(rel), err)
}

func (rs *restorer) top() *dirState {
	if len(rs.stack) == 0 {
		return rs.root
	}
	return rs.stack[len(rs.stack)-1]
}

func (rs *restorer) enterDir(rel string, n *repo.Node, selected bool) error {
	parent := rs.top()
	d := &dirState{parent: parent, name: n.Name, rel: rel, node: n, fd: -1}
	d.refs.Store(1)
	parent.refs.Add(1)
	rs.stack = append(rs.stack, d)
	if selected {
		return rs.ensure(d)
	}
	return nil
}

func (rs *restorer) leaveDir() {
	d := rs.top()
	rs.stack = rs.stack[:len(rs.stack)-1]
	rs.release(d)
}

func (rs *restorer) leaf(rel string, n *repo.Node) error {
	k := classify(n, rs.asRoot)
	if k == kindSkip {
		rs.log.Debug("not restoring", "path", rs.path(rel), "type", n.Type)
		rs.count(func(s *Stats) { s.Skipped++ })
		return nil
	}
	d := rs.top()
	if err := rs.ensure(d); err != nil {
		return err
	}
	switch k {
	case kindFile:
		return rs.restoreFile(d, rel, n)
	case kindSymlink:
		return rs.restoreSymlink(d, rel, n)
	default:
		return rs.restoreSpecial(d, rel, n)
	}
}
