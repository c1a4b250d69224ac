package mysql

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// Restore resets db (creating the database if it does not exist), then
// runs the dump read from rd with the mariadb (or mysql) client, which
// stops at the first failing statement: the restore fails then, naming
// the database, with the client's error. An empty dump, or one whose
// first read fails, is refused before db is touched; a later failure
// reading rd kills the client before it sees the end of its input.
func (a *Adapter) Restore(ctx context.Context, db backup.Database, rd io.Reader) error {
	c, err := parseConn(db)
	if err != nil {
		return fmt.Errorf("restore %s: %w", what(db, nil), err)
	}
	client, err := findTool(a.opts.ClientTool, clientTools, db.Env)
	if err != nil {
		return fmt.Errorf("restore %s: %w", what(db, c), err)
	}
	// Read the start of the dump before touching the target, so that an
	// empty or unreadable dump leaves it as it is.
	br := bufio.NewReaderSize(rd, 64<<10)
	if _, err := br.Peek(1); err == io.EOF {
		return fmt.Errorf("restore %s: the dump is empty", what(db, c))
	} else if err != nil {
		return fmt.Errorf("restore %s: read dump: %w", what(db, c), err)
	}
	if err := a.reset(ctx, db, c, client, true); err != nil {
		return fmt.Errorf("restore %s: reset: %w", what(db, c), err)
	}
	// --binary-mode takes the dump's bytes as they are (NUL bytes and
	// \r\n kept, client commands other than DELIMITER ignored); without
	// --force the client exits non-zero at the first error.
	args := append(a.connArgs(ctx, client, c), "--batch", "--binary-mode",
		"--default-character-set=utf8mb4", "--database="+c.database)
	if err := command.RunInput(ctx, a.spec(client, args, db, c), br); err != nil {
		return fmt.Errorf("restore %s: %w", what(db, c), err)
	}
	return nil
}
