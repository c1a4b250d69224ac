package mysql

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// dumpFlags are mariadb-dump's options besides the connection: a
// consistent snapshot of InnoDB tables without locking them, rows
// streamed rather than buffered, routines, triggers and events included,
// binary strings in hex, no comments (so that unchanged data dumps to the
// same bytes and deduplicates), no tablespaces (which need the PROCESS
// privilege). Without --databases there is no CREATE DATABASE or USE, so
// the dump restores into a database of any name.
var dumpFlags = []string{
	"--single-transaction", "--quick", "--skip-comments", "--no-tablespaces",
	"--routines", "--triggers", "--events", "--hex-blob", "--default-character-set=utf8mb4",
}

// Dump starts mariadb-dump (or mysqldump) on db and returns its output, a
// SQL script. When the tool fails (a wrong password, the server going
// away) the final Read returns an error naming the database and wrapping
// a *command.ExitError that holds the tool's last stderr lines, redacted.
// Close stops the tool.
func (a *Adapter) Dump(ctx context.Context, db backup.Database) (io.ReadCloser, error) {
	c, err := parseConn(db)
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", what(db, nil), err)
	}
	tool, err := findTool(a.opts.DumpTool, dumpTools, db.Env)
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", what(db, c), err)
	}
	mariadb := a.isMariaDB(ctx, tool)
	args := append(c.args(mariadb), dumpFlags...)
	if !mariadb {
		// MySQL's mysqldump on a GTID server would otherwise write SET
		// @@GLOBAL.GTID_PURGED, which fails on a server with history.
		args = append(args, "--set-gtid-purged=OFF")
	}
	args = append(args, "--", c.database)
	s, err := command.Start(ctx, a.spec(tool, args, db, c))
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", what(db, c), err)
	}
	return &dumpStream{s: s, what: what(db, c)}, nil
}

// dumpStream names the database in the dump tool's error.
type dumpStream struct {
	s    *command.Stream
	what string
}

// Read reads the dump; its final error is io.EOF only if the tool
// succeeded.
func (d *dumpStream) Read(p []byte) (int, error) {
	n, err := d.s.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, command.ErrClosed) {
		err = fmt.Errorf("dump %s: %w", d.what, err)
	}
	return n, err
}

// Close stops the tool if it still runs and waits for it.
func (d *dumpStream) Close() error {
	if err := d.s.Close(); err != nil {
		return fmt.Errorf("dump %s: %w", d.what, err)
	}
	return nil
}
