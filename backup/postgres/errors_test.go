package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
)

func TestLastMessage(t *testing.T) {
	for _, tc := range []struct{ stderr, want string }{
		{"", ""},
		{"pg_dump: warning: x\npg_dump: error: query failed: boom\n\tsecond line\npg_dump: detail: Query was: SELECT 1",
			"pg_dump: error: query failed: boom second line; pg_dump: detail: Query was: SELECT 1"},
		{"psql: error: connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  password authentication failed for user \"app\"",
			`psql: error: connection to server at "db" (10.0.0.1), port 5432 failed: FATAL: password authentication failed for user "app"`},
		{"psql:<stdin>:3: ERROR:  permission denied for schema x\nCONTEXT:  SQL statement", "psql:<stdin>:3: ERROR: permission denied for schema x; CONTEXT: SQL statement"},
		{"just a warning\nlast words", "last words"},
	} {
		if got := lastMessage(tc.stderr); got != tc.want {
			t.Errorf("lastMessage(%q)\n = %q\nwant %q", tc.stderr, got, tc.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	target := backup.Target{Adapter: "postgres", Database: "app", Location: "db:5432/app_production"}
	exit := &command.ExitError{Command: "pg_dump", Code: 1, Stderr: "pg_dump: error: boom"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{exit, `dump database "app" (postgres db:5432/app_production): pg_dump exited with status 1: pg_dump: error: boom`},
		{&command.ExitError{Command: "pg_dump", Code: -1}, `dump database "app" (postgres db:5432/app_production): pg_dump was killed by a signal`},
		{&command.ExitError{Command: "pg_dump", Code: -1, Err: context.Canceled}, `dump database "app" (postgres db:5432/app_production): pg_dump stopped: context canceled`},
	} {
		err := (&session{op: "dump", target: target}).fail(toolErr(tc.err))
		if err.Error() != tc.want {
			t.Errorf("error = %q\nwant    %q", err, tc.want)
		}
		var ee *command.ExitError
		if !errors.As(err, &ee) || ee != tc.err {
			t.Errorf("%v does not wrap its *command.ExitError", err)
		}
	}
	if err := (&session{}).fail(toolErr(nil)); err != nil {
		t.Errorf("fail(nil) = %v", err)
	}
	canceled := (&session{op: "dump", target: target}).fail(toolErr(&command.ExitError{Command: "pg_dump", Code: -1, Err: context.Canceled}))
	if !errors.Is(canceled, context.Canceled) {
		t.Errorf("%v is not context.Canceled", canceled)
	}
}
