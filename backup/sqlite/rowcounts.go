package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

var _ backup.RowCounter = (*Adapter)(nil)

// countMethod describes how an SQLite manifest is counted.
const countMethod = "sqlite: count(*) of every table of the backup copy that is streamed"

// maxCountOutput bounds sqlite3's output when listing and counting
// tables; more means a schema too large to count.
const maxCountOutput = 32 << 20

// listTablesSQL lists the tables a dump holds, hex-encoded so that any
// name survives: every table but SQLite's own (sqlite_sequence,
// sqlite_stat1...) and virtual tables, whose module the sqlite3 tool may
// lack; their shadow tables, ordinary tables, are counted.
const listTablesSQL = `SELECT hex(name) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ` +
	`AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name;`

// DumpCounted is Dump, with the rows of the backup copy counted before it
// streams: the counts are exactly those of the dump.
func (a *Adapter) DumpCounted(ctx context.Context, db backup.Database) (backup.CountedDump, error) {
	c, err := a.dump(ctx, db)
	if err != nil {
		return nil, err
	}
	cc := &countedCopy{tempCopy: c}
	cc.counts, cc.err = a.countRows(ctx, c.path)
	if cc.err != nil {
		cc.err = dbError(db, "count rows of the backup copy", cc.err)
	}
	return cc, nil
}

// CountRows counts the rows of every table of the database file at
// db.Path, which must exist.
func (a *Adapter) CountRows(ctx context.Context, db backup.Database) (*backup.RowCounts, error) {
	path, err := livePath(db)
	if err == nil {
		var counts *backup.RowCounts
		if counts, err = a.countRows(ctx, path); err == nil {
			return counts, nil
		}
	}
	return nil, dbError(db, "count rows", err)
}

// countRows lists the tables of the database at path, then counts each
// in one read transaction.
func (a *Adapter) countRows(ctx context.Context, path string) (*backup.RowCounts, error) {
	counts := &backup.RowCounts{Exact: true, Method: countMethod, CountedAt: time.Now().UTC(), Tables: []backup.TableRows{}}
	out, err := a.runMax(ctx, path, maxCountOutput, dotTimeout(busyTimeout), listTablesSQL)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	if len(out) >= maxCountOutput {
		return nil, fmt.Errorf("list tables: more than %d bytes of table names", maxCountOutput)
	}
	lines := []string{dotTimeout(busyTimeout), "BEGIN;"}
	for i, h := range strings.Fields(out) {
		name, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("list tables: unexpected output %q", h)
		}
		counts.Tables = append(counts.Tables, backup.TableRows{Name: string(name)})
		lines = append(lines, fmt.Sprintf("SELECT %d, count(*) FROM %s;", i, quoteIdent(string(name))))
	}
	if len(counts.Tables) == 0 {
		return counts, nil
	}
	out, err = a.runMax(ctx, path, maxCountOutput, append(lines, "COMMIT;")...)
	if err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	seen := 0
	for _, line := range strings.Fields(out) {
		i, n, err := parseCountLine(line)
		if err != nil || i >= len(counts.Tables) {
			return nil, fmt.Errorf("count rows: unexpected output %q", line)
		}
		counts.Tables[i].Rows = n
		seen++
	}
	if seen != len(counts.Tables) {
		return nil, fmt.Errorf("count rows: %d counts for %d tables", seen, len(counts.Tables))
	}
	return counts, nil
}

// parseCountLine parses "index|rows".
func parseCountLine(line string) (int, int64, error) {
	is, ns, ok := strings.Cut(line, "|")
	if !ok {
		return 0, 0, fmt.Errorf("no separator")
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 {
		return 0, 0, fmt.Errorf("bad index %q", is)
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	return i, n, err
}

// quoteIdent quotes an SQLite identifier with double quotes.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// countedCopy is a backup copy and its row counts.
type countedCopy struct {
	*tempCopy
	counts *backup.RowCounts
	err    error
}

// RowCounts returns the counts made before the copy streamed.
func (c *countedCopy) RowCounts(context.Context) (*backup.RowCounts, error) { return c.counts, c.err }
