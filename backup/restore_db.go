package backup

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// restoreDatabases restores every database of j from its snapshot in sel,
// in configured order, stopping at the first failure. Each dump streams
// from the repository into the adapter; nothing is held in memory.
func (r *Restorer) restoreDatabases(ctx context.Context, j *job, sel *selection, ph *phases) error {
	for i, t := range j.dbs {
		if err := r.restoreDatabase(ctx, t, sel.dbs[i], ph); err != nil {
			return fmt.Errorf("restore database %q: %w", t.db.Name, err)
		}
	}
	return nil
}

// restoreDatabase streams one dump into its adapter and times the fetch
// and the restore.
func (r *Restorer) restoreDatabase(ctx context.Context, t dbTarget, c dbChoice, ph *phases) error {
	r.log.Info("restoring database", "database", t.db.Name, "snapshot", c.snap.ID().Str(), "file", c.filename)
	begin := r.now()
	rc, err := r.repo.OpenFile(ctx, c.snap, c.filename)
	if err != nil {
		return fmt.Errorf("open /%s in snapshot %s: %w", c.filename, c.snap.ID().Str(), err)
	}
	fr := &fetchReader{rd: rc, now: r.now}
	err = t.adapter.Restore(ctx, t.db, fr)
	end := r.now()
	_ = rc.Close()
	ph.add(PhaseFetch, begin, fr.finished(end))
	ph.add(PhaseRestoreDatabase, begin, end)
	return err
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
