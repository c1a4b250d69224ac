package mysql

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

// Options tune an Adapter. The zero value means defaults.
type Options struct {
	// Logger receives the tools' standard error, line by line and
	// redacted, at warning level; nil discards it.
	Logger *slog.Logger
	// Redactor, if set, redacts those lines too, on top of the database's
	// password and the secret-looking variables of its Env, which are
	// always redacted.
	Redactor *redact.Redactor
	// DumpTool is the export program, a path or a name looked up in the
	// PATH of the tools' environment; empty means mariadb-dump, or
	// mysqldump when there is no mariadb-dump.
	DumpTool string
	// ClientTool is the client that resets and restores, found like
	// DumpTool; empty means mariadb, or mysql when there is no mariadb.
	ClientTool string
}

// Adapter dumps and restores MySQL and MariaDB databases. It is safe for
// concurrent use.
type Adapter struct {
	opts     Options
	log      *slog.Logger
	flavours sync.Map // tool path -> bool: whether it is MariaDB's
}

var _ backup.Adapter = (*Adapter)(nil)

// New returns an Adapter.
func New(opts Options) *Adapter {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{opts: opts, log: log}
}

// Name returns "mysql".
func (*Adapter) Name() string { return "mysql" }

// Ext returns "sql": the dump is a plain SQL script.
func (*Adapter) Ext() string { return "sql" }

// Describe returns db's adapter, name and "host:port/database", without
// credentials. An unusable URL is described as such; the operations on db
// report what is wrong with it.
func (*Adapter) Describe(db backup.Database) backup.Target {
	t := backup.Target{Adapter: "mysql", Database: db.Name, Location: "(invalid url)"}
	if c, err := parseConn(db); err == nil {
		t.Location = c.location()
	}
	return t
}

// what names db in errors: `database "app" (db:3306/app_production)`.
func what(db backup.Database, c *conn) string {
	if c == nil {
		return fmt.Sprintf("database %q", db.Name)
	}
	return fmt.Sprintf("database %q (%s)", db.Name, c.location())
}
