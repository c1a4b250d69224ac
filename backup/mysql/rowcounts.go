package mysql

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

var _ backup.RowCounter = (*Adapter)(nil)

// dumpCountMethod describes how a MySQL manifest is counted, and why it
// is approximate.
const dumpCountMethod = "mysql: COUNT(*) of every base table in a START TRANSACTION WITH CONSISTENT SNAPSHOT " +
	"session begun with the dump; approximate: the dump tool's --single-transaction reads a snapshot of its own, " +
	"so tables written during the dump (and non-transactional tables) may differ"

// countMethod describes CountRows' counts.
const countMethod = "mysql: COUNT(*) of every base table in one START TRANSACTION WITH CONSISTENT SNAPSHOT"

// DumpCounted is Dump, with the rows counted beside it: a second session
// starts with the dump, lists the base tables and counts each in one
// consistent-snapshot transaction. That snapshot is not the dump tool's,
// so the manifest is marked approximate (Exact false). Close waits for
// the counting, stopping it first when the dump did not reach its end.
func (a *Adapter) DumpCounted(ctx context.Context, db backup.Database) (backup.CountedDump, error) {
	rc, err := a.Dump(ctx, db)
	if err != nil {
		return nil, err
	}
	return backup.CountDump(ctx, rc, func(ctx context.Context) (*backup.RowCounts, error) {
		counts, err := a.CountRows(ctx, db)
		if counts != nil {
			counts.Exact, counts.Method = false, dumpCountMethod
		}
		return counts, err
	}, nil), nil
}

// CountRows counts the rows of every base table of db in one
// consistent-snapshot transaction. Its errors name the database.
func (a *Adapter) CountRows(ctx context.Context, db backup.Database) (*backup.RowCounts, error) {
	c, err := parseConn(db)
	if err != nil {
		return nil, fmt.Errorf("count rows of %s: %w", what(db, nil), err)
	}
	client, err := findTool(a.opts.ClientTool, clientTools, db.Env)
	if err == nil {
		var counts *backup.RowCounts
		if counts, err = a.countRows(ctx, db, c, client); err == nil {
			return counts, nil
		}
	}
	return nil, fmt.Errorf("count rows of %s: %w", what(db, c), err)
}

// countRows lists the base tables (system-versioned ones included), then
// counts them.
func (a *Adapter) countRows(ctx context.Context, db backup.Database, c *conn, client string) (*backup.RowCounts, error) {
	counts := &backup.RowCounts{Exact: true, Method: countMethod, CountedAt: time.Now().UTC(), Tables: []backup.TableRows{}}
	args := append(a.connArgs(ctx, client, c), "--batch", "--skip-column-names", "--default-character-set=utf8mb4")
	lit := "X'" + hex.EncodeToString([]byte(c.database)) + "'"
	out, err := a.query(ctx, client, args, db, c, "SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+
		lit+" AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED');\n")
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var script strings.Builder
	script.WriteString("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nSTART TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY;\n")
	for i, h := range strings.Fields(string(out)) {
		name, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("list tables: unexpected output %q", h)
		}
		counts.Tables = append(counts.Tables, backup.TableRows{Name: string(name)})
		fmt.Fprintf(&script, "SELECT %d, COUNT(*) FROM %s.%s;\n", i, quoteIdent(c.database), quoteIdent(string(name)))
	}
	if len(counts.Tables) == 0 {
		return counts, nil
	}
	script.WriteString("COMMIT;\n")
	if out, err = a.query(ctx, client, args, db, c, script.String()); err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		is, ns, _ := strings.Cut(sc.Text(), "\t")
		i, ierr := strconv.Atoi(is)
		n, nerr := strconv.ParseInt(ns, 10, 64)
		if ierr != nil || nerr != nil || i < 0 || i >= len(counts.Tables) {
			return nil, fmt.Errorf("count rows: unexpected output line %q", sc.Text())
		}
		counts.Tables[i].Rows = n
		seen++
	}
	if seen != len(counts.Tables) {
		return nil, fmt.Errorf("count rows: %d counts for %d tables", seen, len(counts.Tables))
	}
	return counts, nil
}

// query runs the client with script as its input and returns its output.
func (a *Adapter) query(ctx context.Context, client string, args []string, db backup.Database, c *conn, script string) ([]byte, error) {
	spec := a.spec(client, args, db, c)
	spec.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	err := command.Run(ctx, spec, &out)
	return out.Bytes(), err
}
