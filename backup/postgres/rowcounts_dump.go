package postgres

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// dumpArgs are pg_dump's options besides the connection.
var dumpArgs = []string{"--format=custom", "--compress=0", "--no-owner", "--no-privileges"}

// DumpCounted is Dump, with the rows counted in the very snapshot pg_dump
// reads, so that the counts are exact:
//
//  1. a psql session opens a read-only repeatable-read transaction and
//     exports its snapshot (pg_export_snapshot), which it holds until
//     the dump has ended;
//  2. pg_dump --snapshot=<it> dumps that snapshot;
//  3. meanwhile another psql session imports the same snapshot (SET
//     TRANSACTION SNAPSHOT) and counts the rows of every table pg_dump
//     dumps (see CountRows), so a failing count never ends the
//     transaction pg_dump depends on.
//
// If the server does not export a snapshot, the dump runs as Dump's, and
// RowCounts returns why there are no counts. Close waits for the counts
// when the dump succeeded, and stops them otherwise.
func (a *Adapter) DumpCounted(ctx context.Context, db backup.Database) (backup.CountedDump, error) {
	s, err := a.open(ctx, db, "dump", true)
	if err != nil {
		return nil, err
	}
	d := &countedDump{done: make(chan struct{})}
	holder, snapshot, herr := s.exportSnapshot(ctx)
	args := dumpArgs
	if herr == nil {
		args = append(append([]string(nil), dumpArgs...), "--snapshot="+snapshot)
	}
	st, err := command.Start(ctx, s.spec("pg_dump", args...))
	if err != nil {
		if holder != nil {
			holder.abort()
		}
		return nil, s.fail(err)
	}
	d.dump = &dumpStream{st: st, s: s}
	if herr != nil {
		d.err = s.fail(fmt.Errorf("the server did not export a snapshot to count rows in: %w", herr))
		close(d.done)
		return d, nil
	}
	d.holder = holder
	cctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	go func() {
		defer close(d.done)
		if a.beforeCount != nil {
			a.beforeCount()
		}
		d.counts, d.err = s.countRows(cctx, snapshot)
		d.err = s.fail(d.err)
	}()
	return d, nil
}

// countedDump is pg_dump's output and the counting beside it.
type countedDump struct {
	dump   *dumpStream
	holder *snapshotHolder // nil without an exported snapshot
	cancel context.CancelFunc
	done   chan struct{} // closed when counts and err are set
	counts *backup.RowCounts
	err    error
	eof    bool
	once   sync.Once
}

// Read reads the dump.
func (d *countedDump) Read(p []byte) (int, error) {
	n, err := d.dump.Read(p)
	if err == io.EOF {
		d.eof = true
	}
	return n, err
}

// Close stops pg_dump if it still runs and waits for it. After a dump
// read to its end, it waits for the counts; otherwise it stops them. Then
// it ends the transaction holding the snapshot.
func (d *countedDump) Close() error {
	err := d.dump.Close()
	d.once.Do(func() {
		if d.holder == nil {
			return
		}
		if err != nil || !d.eof {
			d.cancel()
		}
		<-d.done
		d.cancel()
		d.holder.end()
	})
	return err
}

// RowCounts returns the counts once they are made.
func (d *countedDump) RowCounts(ctx context.Context) (*backup.RowCounts, error) {
	select {
	case <-d.done:
		return d.counts, d.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
