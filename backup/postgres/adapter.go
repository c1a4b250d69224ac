package postgres

import (
	"context"
	"log/slog"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/redact"
)

// DefaultRoot is where Debian and Ubuntu install each client version's
// tools, in <DefaultRoot>/<version>/bin.
const DefaultRoot = "/usr/lib/postgresql"

// Options tune an Adapter. The zero value means defaults.
type Options struct {
	// Logger receives the tools' standard error, line by line and
	// redacted, and warnings; nil discards them.
	Logger *slog.Logger
	// Root holds one <version>/bin directory per installed client
	// version; empty means DefaultRoot. When it holds none, the tools are
	// looked up in PATH.
	Root string
}

// Adapter dumps and restores PostgreSQL databases with pg_dump, pg_restore
// and psql. It is safe for concurrent use.
type Adapter struct {
	log  *slog.Logger
	root string
	// observe, if set, sees the spec of every command before it runs
	// (tests check that no password reaches an argv).
	observe func(command.Spec)
	// beforeCount, if set, runs before DumpCounted counts rows (tests
	// write between the snapshot's export and the counting).
	beforeCount func()
}

var _ backup.Adapter = (*Adapter)(nil)

// New returns an Adapter.
func New(opts Options) *Adapter {
	a := &Adapter{log: opts.Logger, root: opts.Root}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.root == "" {
		a.root = DefaultRoot
	}
	return a
}

// Name returns "postgres".
func (a *Adapter) Name() string { return "postgres" }

// Ext returns "pgdump", the extension of a custom-format dump.
func (a *Adapter) Ext() string { return "pgdump" }

// Describe returns db's adapter, name and location ("host:port/dbname").
// For a connection that does not parse, the location is the URL with its
// password redacted.
func (a *Adapter) Describe(db backup.Database) backup.Target {
	t := backup.Target{Adapter: a.Name(), Database: db.Name}
	if c, err := parseConn(db); err == nil {
		t.Location = c.location()
	} else {
		t.Location = redact.RedactURL(db.URL.Reveal())
	}
	return t
}

// Reset drops every schema of db except PostgreSQL's own, with all they
// contain, and recreates an empty public schema owned by the connecting
// user with the default privileges. The errors are *Error values.
func (a *Adapter) Reset(ctx context.Context, db backup.Database) error {
	s, err := a.open(ctx, db, "reset", false)
	if err != nil {
		return err
	}
	return s.fail(s.reset(ctx))
}
