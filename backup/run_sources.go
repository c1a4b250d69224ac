package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// snapshotSources writes a snapshot of every database and of the paths,
// one after the other, and returns a *SourceError for each that failed.
// A cancelled ctx stops it before the next source.
func (b *backupRun) snapshotSources(ctx context.Context) []error {
	var errs []error
	for _, db := range b.r.Config.Databases() {
		if ctx.Err() != nil {
			return append(errs, context.Cause(ctx))
		}
		if err := b.source(SourceResult{Type: SourceDatabase, Database: db.Name, Adapter: db.Adapter},
			func(res *SourceResult) error { return b.dumpDatabase(ctx, db, res) }); err != nil {
			errs = append(errs, err)
		}
	}
	if len(b.r.Config.Paths) == 0 {
		return errs
	}
	if ctx.Err() != nil {
		return append(errs, context.Cause(ctx))
	}
	if err := b.source(SourceResult{Type: SourceFiles, Paths: b.filePaths()},
		func(res *SourceResult) error { return b.backupFiles(ctx, res) }); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// source runs fn for the source res describes, timing it and recording
// its result; a failure is returned as a *SourceError.
func (b *backupRun) source(res SourceResult, fn func(res *SourceResult) error) error {
	res.StartedAt = b.r.now()
	err := fn(&res)
	res.FinishedAt = b.r.now()
	res.Status = StatusOK
	if err != nil {
		err = &SourceError{Database: res.Database, Err: err}
		res.Status, res.Error = StatusFailed, b.r.Config.Redactor().Redact(err.Error())
	}
	b.rep.Sources = append(b.rep.Sources, res)
	log := b.r.log().With("type", res.Type, "database", res.Database, "snapshot", shortSnapID(res.Snapshot),
		"bytes", res.Bytes, "added", res.Added, "duration", res.FinishedAt.Sub(res.StartedAt))
	if err == nil {
		log.Info("snapshot saved")
	}
	return err
}

// dumpDatabase streams the dump of db into a snapshot named and tagged as
// the Ruby kamal-backup names and tags it, with its row-count manifest
// beside it when the adapter counts rows. A dump that fails writes no
// snapshot.
func (b *backupRun) dumpDatabase(ctx context.Context, db Database, res *SourceResult) error {
	cfg := b.r.Config
	a, err := b.r.Adapters.Lookup(db.Adapter)
	if err != nil {
		return err
	}
	res.Adapter = a.Name()
	name := DumpFilename(cfg.App, db.Name, a)
	rc, m, err := b.startDump(ctx, a, db, name)
	if err != nil {
		return err
	}
	dr := &dumpReader{rc: rc}
	tags := DatabaseTags(cfg.App, db.Name, a.Name())
	sn, err := b.rp.BackupStream(ctx, name, dr,
		repo.SnapshotOptions{Tags: tags, Host: cfg.Hostname(), Time: res.StartedAt, Extra: m.extra,
			Progress: b.r.progress("database " + db.Name)})
	_ = dr.close() // after a failure the adapter's Close reports the kill
	if err != nil {
		return err
	}
	if sn.Summary != nil {
		res.Bytes, res.Added = sn.Summary.TotalBytesProcessed-m.size, sn.Summary.DataAdded
	}
	res.Snapshot, res.Time, res.RowCounts = sn.ID().String(), sn.Time, m.summary
	b.rep.Databases = append(b.rep.Databases, DatabaseSnapshot{Snapshot: sn.ID().Str(), Time: sn.Time,
		Database: db.Name, Adapter: a.Name(), Tags: tags})
	b.written = append(b.written, writtenSnapshot{id: sn.ID(), time: sn.Time, tags: tags, source: len(b.rep.Sources)})
	return nil
}

// backupFiles writes the file snapshot of the configured paths. A
// snapshot with entries that could not be read, or without a configured
// path that does not exist, is kept but the source fails.
func (b *backupRun) backupFiles(ctx context.Context, res *SourceResult) error {
	cfg := b.r.Config
	paths := b.filePaths()
	tags := FileTags(cfg.App, paths)
	sn, ares, err := archiver.Backup(ctx, b.rp, paths, archiver.Options{
		Snapshot: repo.SnapshotOptions{Tags: tags, Host: cfg.Hostname(), Time: res.StartedAt,
			Progress: b.r.progress("files")},
		Excludes: cfg.FileExcludes(),
		Logger:   b.r.Logger,
	})
	res.Bytes, res.Added = ares.Summary.TotalBytesProcessed, ares.Summary.DataAdded
	if err != nil {
		return err
	}
	res.Snapshot, res.Time = sn.ID().String(), sn.Time
	b.rep.Files = &FileSnapshot{Snapshot: sn.ID().Str(), Time: sn.Time, Paths: paths, Tags: tags}
	b.written = append(b.written, writtenSnapshot{id: sn.ID(), time: sn.Time, tags: tags, source: len(b.rep.Sources)})
	return fileSnapshotGaps(ares)
}

// filePaths are the configured paths, in order.
func (b *backupRun) filePaths() []string {
	out := make([]string, len(b.r.Config.Paths))
	for i, p := range b.r.Config.Paths {
		out[i] = p.Path
	}
	return out
}

// maxItemErrors bounds the unreadable entries named in an error.
const maxItemErrors = 5

// fileSnapshotGaps describes what a written file snapshot lacks: configured
// paths that did not exist and entries that could not be read.
func fileSnapshotGaps(res archiver.Result) error {
	var errs []error
	if len(res.Skipped) > 0 {
		errs = append(errs, fmt.Errorf("paths not found, left out of the snapshot: %s", strings.Join(res.Skipped, ", ")))
	}
	if n := len(res.Errors); n > 0 {
		var names []string
		for _, e := range res.Errors[:min(n, maxItemErrors)] {
			names = append(names, e.Error())
		}
		more := ""
		if n > maxItemErrors {
			more = fmt.Sprintf(" and %d more", n-maxItemErrors)
		}
		errs = append(errs, fmt.Errorf("%d entries could not be read, snapshot is incomplete: %s%s", n, strings.Join(names, "; "), more))
	}
	return errors.Join(errs...)
}

// dumpReader reads an adapter's dump and closes it at EOF, turning an
// error of Close (a dump tool that exits non-zero after its last byte)
// into the error of the final Read, so that such a dump never becomes a
// snapshot.
type dumpReader struct {
	rc       io.ReadCloser
	closed   bool
	closeErr error
}

// Read reads from the dump. After the end (or after close) it returns
// the final result again without touching the closed dump.
func (d *dumpReader) Read(p []byte) (int, error) {
	if d.closed {
		return 0, cmp.Or(d.closeErr, io.EOF)
	}
	n, err := d.rc.Read(p)
	if err == io.EOF {
		if cerr := d.close(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// close closes the dump once and returns the result of that.
func (d *dumpReader) close() error {
	if !d.closed {
		d.closed = true
		d.closeErr = d.rc.Close()
	}
	return d.closeErr
}

// shortSnapID returns the first 8 characters of a snapshot ID, as restic
// prints it.
func shortSnapID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
