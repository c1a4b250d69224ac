// Package postgres is the kamal-backup adapter for PostgreSQL. It dumps a
// database with pg_dump in the custom format (--no-owner --no-privileges)
// as a stream, and restores it with pg_restore after dropping every
// schema of the target and recreating public.
//
// # Connection
//
// A database is reached through a postgres:// or postgresql:// URL
// (user, host, port, database name, and libpq parameters such as sslmode,
// sslrootcert, connect_timeout and application_name in the query), or
// through PG* variables (PGHOST, PGPORT, PGUSER, PGDATABASE) in
// [backup.Database.Env]; the URL's values win. The tools get these as a
// libpq connection string in --dbname, which never holds a password: the
// password, from [backup.Database.Password], else the URL, else PGPASSWORD
// in Env, travels in the tools' environment as PGPASSWORD, and every line
// they print is redacted.
//
// # Client versions
//
// pg_dump refuses servers newer than itself, and a dump is most faithful
// when made by the server's own version. Before each dump or restore the
// adapter asks the server for its version and picks the client tools from
// <Root>/<version>/bin (Debian's /usr/lib/postgresql layout): the server's
// major version when installed, else the newest newer one; otherwise it
// fails, naming the client package to install. Without any such directory
// it uses the tools in PATH, checking their version the same way.
package postgres
