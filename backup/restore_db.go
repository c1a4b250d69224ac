package backup

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// restoreDatabases restores every database of j from its snapshot in sel,
// in configured order, stopping at the first failure. Each dump streams
// from the repository into the adapter; nothing is held in memory.
func (r *Restorer) restoreDatabases(ctx context.Context, j *job, sel *selection, ph *phases) error {
	for i, t := range j.dbs {
		if err := r.restoreDatabase(ctx, j, t, sel.dbs[i], ph); err != nil {
			return fmt.Errorf("restore database %q: %w", t.db.Name, err)
		}
	}
	return nil
}

// restoreDatabase streams one dump into its adapter, telling j's
// progress (step "database NAME") the bytes read of the dump's size, and
// times the fetch and the restore.
func (r *Restorer) restoreDatabase(ctx context.Context, j *job, t dbTarget, c dbChoice, ph *phases) error {
	r.log.Info("restoring database", "database", t.db.Name, "snapshot", c.snap.ID().Str(), "file", c.filename)
	begin := r.now()
	n, err := r.dumpNode(ctx, c)
	if err != nil {
		return err
	}
	rc := r.repo.NodeReader(ctx, n)
	var rd io.Reader = rc
	if p := j.progressOf("database " + t.db.Name); p != nil {
		p.Start(int64(n.Size))
		defer p.Done()
		rd = repo.ProgressReader(rc, p)
	}
	fr := &fetchReader{rd: rd, now: r.now}
	err = t.adapter.Restore(ctx, t.db, fr)
	end := r.now()
	_ = rc.Close()
	ph.addFor(PhaseFetch, t.db.Name, begin, fr.finished(end))
	ph.addFor(PhaseRestoreDatabase, t.db.Name, begin, end)
	return err
}

// dumpNode finds the dump file of c in its snapshot.
func (r *Restorer) dumpNode(ctx context.Context, c dbChoice) (*repo.Node, error) {
	n, err := r.repo.FindNode(ctx, *c.snap.Tree, c.filename)
	if err == nil && n.Type != tree.TypeFile {
		err = fmt.Errorf("%s is a %s, not a file", c.filename, n.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("open /%s in snapshot %s: %w", c.filename, c.snap.ID().Str(), err)
	}
	return n, nil
}

// fetchReader notes when its reader ended (EOF or an error).
type fetchReader struct {
	rd  io.Reader
	now func() time.Time

	mu  sync.Mutex
	end time.Time
}

// Read implements io.Reader.
func (f *fetchReader) Read(p []byte) (int, error) {
	n, err := f.rd.Read(p)
	if err != nil {
		f.mu.Lock()
		if f.end.IsZero() {
			f.end = f.now()
		}
		f.mu.Unlock()
	}
	return n, err
}

// finished returns when the reader ended, or otherwise (the adapter
// stopped reading early) def.
func (f *fetchReader) finished(def time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.end.IsZero() {
		return def
	}
	return f.end
}
