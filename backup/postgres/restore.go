package postgres

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

// resetSQL drops every schema but PostgreSQL's own and recreates public as
// CREATE DATABASE makes it, owned by the connecting user. psql -c runs it
// in one transaction, so a failure changes nothing.
const resetSQL = `SET client_min_messages = warning;
DO $$
DECLARE s name;
BEGIN
	FOR s IN SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
		AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
	LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', s);
	END LOOP;
END $$;
CREATE SCHEMA public;
COMMENT ON SCHEMA public IS 'standard public schema';
DO $$
BEGIN
	IF current_setting('server_version_num')::int >= 150000 THEN
		GRANT USAGE ON SCHEMA public TO PUBLIC;
	ELSE
		GRANT USAGE, CREATE ON SCHEMA public TO PUBLIC;
	END IF;
END $$;`

// reset runs resetSQL with psql.
func (s *session) reset(ctx context.Context) error {
	spec := s.spec("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", resetSQL)
	return toolErr(command.Run(ctx, spec, io.Discard))
}

// Restore resets db (see Reset), then restores the custom-format dump read
// from rd with pg_restore --clean --if-exists --no-owner --no-privileges
// --exit-on-error, with the client tools matching the server. A restore
// that reports errors it ignored fails too. Errors are *Error values.
func (a *Adapter) Restore(ctx context.Context, db backup.Database, rd io.Reader) error {
	s, err := a.open(ctx, db, "restore", true)
	if err != nil {
		return err
	}
	if err := s.reset(ctx); err != nil {
		return s.fail(fmt.Errorf("reset: %w", err))
	}
	spec := s.spec("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error")
	var ignored atomic.Bool
	logLine := spec.Stderr
	spec.Stderr = func(line string) {
		if strings.Contains(line, "errors ignored on restore") {
			ignored.Store(true)
		}
		logLine(line)
	}
	err = command.RunInput(ctx, spec, rd)
	if err == nil && ignored.Load() {
		err = errIgnoredOnRestore
	}
	return s.fail(toolErr(err))
}
