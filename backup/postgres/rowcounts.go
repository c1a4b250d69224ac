package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

var _ backup.RowCounter = (*Adapter)(nil)

// countMethod describes how a PostgreSQL manifest is counted.
const countMethod = "postgres: count(*) of every table pg_dump dumps, in the snapshot pg_dump read (pg_export_snapshot, pg_dump --snapshot)"

// rowCountsSQL counts the rows of the tables whose data pg_dump dumps:
// ordinary tables and partitions (a partitioned table's rows are its
// partitions'), unlogged ones included, in every schema but PostgreSQL's
// own; not temporary tables and not the tables of extensions. Each count
// runs through query_to_xml, so the whole answer is one line of JSON:
// [{"schema": ..., "name": ..., "rows": ...}, ...].
const rowCountsSQL = `SELECT coalesce(jsonb_agg(jsonb_build_object('schema', n.nspname, 'name', c.relname, 'rows',
  (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint)
  ORDER BY n.nspname, c.relname), '[]'::jsonb)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e');`

// snapshotID matches what pg_export_snapshot returns ("00000003-0000001B-1").
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$`)

// CountRows counts the rows of every table of db that a dump would hold,
// in one read-only repeatable-read transaction. Errors are *Error values.
func (a *Adapter) CountRows(ctx context.Context, db backup.Database) (*backup.RowCounts, error) {
	s, err := a.open(ctx, db, "count rows of", false)
	if err != nil {
		return nil, err
	}
	counts, err := s.countRows(ctx, "")
	return counts, s.fail(err)
}

// countRows counts the rows in a new transaction that, when snapshot is
// set, imports that exported snapshot: it then sees exactly what the
// pg_dump reading the same snapshot dumps.
func (s *session) countRows(ctx context.Context, snapshot string) (*backup.RowCounts, error) {
	counts := &backup.RowCounts{Exact: true, Method: countMethod, CountedAt: time.Now().UTC()}
	var script strings.Builder
	script.WriteString("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n")
	if snapshot != "" {
		if !snapshotID.MatchString(snapshot) {
			return nil, fmt.Errorf("unexpected snapshot identifier %q", snapshot)
		}
		fmt.Fprintf(&script, "SET TRANSACTION SNAPSHOT '%s';\n", snapshot)
	}
	// As pg_dump does: fail rather than count rows a policy hides.
	script.WriteString("SET LOCAL row_security = off;\n" + rowCountsSQL + "\nCOMMIT;\n")
	spec := s.spec("psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1")
	spec.Stdin = strings.NewReader(script.String())
	var out bytes.Buffer
	if err := command.Run(ctx, spec, &out); err != nil {
		return nil, fmt.Errorf("count rows: %w", toolErr(err))
	}
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &counts.Tables); err != nil {
		return nil, fmt.Errorf("count rows: unexpected psql output: %w", err)
	}
	return counts, nil
}
