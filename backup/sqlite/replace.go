package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// targetInfo is what replace needs to know about a target database.
type targetInfo struct {
	pageSize    int
	journalMode string // "wal", "delete", ...
}

// inspect checks that no other process holds a write lock on the target
// (it takes one itself for a moment, waiting up to lockTimeout) and reads
// its page size and journal mode. A busy target is ErrLocked. A target
// that does not exist is created empty.
func (a *Adapter) inspect(ctx context.Context, target string) (targetInfo, error) {
	out, err := a.run(ctx, target, dotTimeout(lockTimeout),
		"BEGIN IMMEDIATE;", "PRAGMA page_size;", "PRAGMA journal_mode;", "ROLLBACK;")
	if busy(err) {
		return targetInfo{}, ErrLocked
	}
	if err != nil {
		return targetInfo{}, fmt.Errorf("open the target: %w", err)
	}
	fields := strings.Fields(out)
	if len(fields) != 2 {
		return targetInfo{}, fmt.Errorf("open the target: unexpected sqlite3 output %q", out)
	}
	size, err := strconv.Atoi(fields[0])
	if err != nil {
		return targetInfo{}, fmt.Errorf("open the target: page size %q: %w", fields[0], err)
	}
	return targetInfo{pageSize: size, journalMode: strings.ToLower(fields[1])}, nil
}

// replace replaces the content of the target database with that of the
// database file src, whose page size is srcPageSize, through the backup
// API, and checks the result. See Restore.
func (a *Adapter) replace(ctx context.Context, target, src string, srcPageSize int) error {
	info, err := a.inspect(ctx, target)
	if err != nil {
		return err
	}
	lines := []string{dotTimeout(lockTimeout)}
	if info.journalMode == "wal" && info.pageSize != srcPageSize {
		a.log.Debug("sqlite restore leaves WAL mode to change the page size",
			"database", target, "from", info.pageSize, "to", srcPageSize)
		lines = append(lines, "PRAGMA journal_mode=DELETE;")
	}
	lines = append(lines, ".restore "+dotArg(src))
	a.log.Debug("sqlite restore", "database", target, "from", src)
	if _, err := a.run(ctx, target, lines...); busy(err) {
		return ErrLocked
	} else if err != nil {
		return fmt.Errorf("replace the content through the backup API: %w", err)
	}
	if err := a.quickCheck(ctx, target); err != nil {
		return fmt.Errorf("check the restored database: %w", err)
	}
	return nil
}
