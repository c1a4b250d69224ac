package postgres

import (
	"context"
	"io"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// Dump starts pg_dump --format=custom --compress=0 --no-owner
// --no-privileges on db, with the client tools matching the server, and
// returns its output. The dump is left uncompressed so that unchanged
// tables deduplicate between runs; the repository compresses it with
// zstd (pg_restore reads either form). If
// the server cannot be reached (a wrong password, for instance), Dump
// returns the error; if pg_dump fails later, the final Read returns it in
// place of io.EOF. Errors are *Error values naming the database.
func (a *Adapter) Dump(ctx context.Context, db backup.Database) (io.ReadCloser, error) {
	s, err := a.open(ctx, db, "dump", true)
	if err != nil {
		return nil, err
	}
	st, err := command.Start(ctx, s.spec("pg_dump", dumpArgs...))
	if err != nil {
		return nil, s.fail(err)
	}
	return &dumpStream{st: st, s: s}, nil
}

// dumpStream is pg_dump's output; its errors name the database.
type dumpStream struct {
	st *command.Stream
	s  *session
}

func (d *dumpStream) Read(p []byte) (int, error) {
	n, err := d.st.Read(p)
	if err != nil && err != io.EOF {
		err = d.s.fail(toolErr(err))
	}
	return n, err
}

// Close stops pg_dump if it still runs and waits for it.
func (d *dumpStream) Close() error { return d.s.fail(toolErr(d.st.Close())) }
