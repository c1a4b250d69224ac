package postgres

import (
	"context"
	"fmt"

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
	dump := &dumpStream{st: st, s: s}
	if herr != nil {
		return backup.UncountedDump(dump, s.fail(fmt.Errorf("the server did not export a snapshot to count rows in: %w", herr))), nil
	}
	return backup.CountDump(ctx, dump, func(ctx context.Context) (*backup.RowCounts, error) {
		if a.beforeCount != nil {
			a.beforeCount()
		}
		counts, err := s.countRows(ctx, snapshot)
		return counts, s.fail(err)
	}, holder.end), nil
}
