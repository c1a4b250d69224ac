package backup

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/kamal-backup/kamal-backup/redact"
)

// Database is one configured database, as the adapters see it.
type Database struct {
	// Name is the database's name in the config ("app", "cache").
	Name string
	// Adapter is the canonical adapter name: "postgres", "mysql" or
	// "sqlite".
	Adapter string
	// URL is the connection URL for server databases. It may carry a
	// password, so it is a Secret; use redact.RedactURL to show it.
	URL redact.Secret
	// Path is the database file for SQLite.
	Path string
	// Password is the database password from the config's secret
	// reference, if any; it travels to child processes by environment
	// (PGPASSWORD, MYSQL_PWD), never by argv.
	Password redact.Secret
	// Env is extra environment for the dump and restore tools (PG*
	// variables the operator set, for instance).
	Env []string
}

// Target describes a database for records and logs, without secrets.
type Target struct {
	Adapter  string `json:"adapter"`
	Database string `json:"database"`
	// Location is the host:port/dbname or file path, credentials removed.
	Location string `json:"location"`
}

// Adapter exports and restores one kind of database with its native
// tools. Implementations must be safe for concurrent use.
type Adapter interface {
	// Name is the canonical adapter name ("postgres", "mysql", "sqlite").
	Name() string
	// Ext is the extension of the dump file in the snapshot ("pgdump",
	// "sql", "sqlite3").
	Ext() string
	// Dump starts an export of db and returns it as a stream. A failure
	// of the export (the tool exits non-zero, the server goes away)
	// surfaces as the error of a Read, never as a silent EOF; the error
	// names the database and never contains a password. Close stops the
	// export and releases its resources.
	Dump(ctx context.Context, db Database) (io.ReadCloser, error)
	// Restore replaces the content of db with the dump read from rd
	// (resetting it first). It fails if the restore tool reports errors.
	Restore(ctx context.Context, db Database, rd io.Reader) error
	// Reset removes the objects a restore would recreate from db.
	Reset(ctx context.Context, db Database) error
	// Describe returns a secret-free description of db.
	Describe(db Database) Target
}

// Registry maps adapter names to adapters. The command layer builds it
// explicitly; there is no init() registration.
type Registry map[string]Adapter

// NewRegistry returns a registry holding adapters under their names.
func NewRegistry(adapters ...Adapter) Registry {
	r := Registry{}
	for _, a := range adapters {
		r[a.Name()] = a
	}
	return r
}

// Lookup returns the adapter for name, accepting the aliases the Ruby
// kamal-backup accepts (postgresql, mysql2, mariadb, sqlite3).
func (r Registry) Lookup(name string) (Adapter, error) {
	a, ok := r[CanonicalAdapter(name)]
	if !ok {
		names := make([]string, 0, len(r))
		for n := range r {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown database adapter %q (known: %v)", name, names)
	}
	return a, nil
}

// CanonicalAdapter maps an adapter name or alias to its canonical name;
// unknown names are returned unchanged.
func CanonicalAdapter(name string) string {
	switch name {
	case "postgres", "postgresql":
		return "postgres"
	case "mysql", "mysql2", "mariadb":
		return "mysql"
	case "sqlite", "sqlite3":
		return "sqlite"
	}
	return name
}
