// Package mysql is kamal-backup's MySQL/MariaDB adapter: it exports a
// database with mariadb-dump (or mysqldump) as a stream of SQL, and
// restores such a dump with the mariadb (or mysql) client, after dropping
// the target's views, tables, sequences, routines and events.
//
// The dump holds one database without CREATE DATABASE or USE statements,
// so it can be restored into a database of another name (a drill's
// scratch database). Routines, triggers and events are included; binary
// strings are written in hex, so the dump is plain UTF-8 text.
//
// Connections come from mysql://, mysql2:// and mariadb:// URLs:
//
//	mysql2://user:password@host:3306/app_production?ssl-mode=REQUIRED&sslca=/ca.pem
//
// The password (backup.Database.Password, else the URL's) reaches the
// tools only through the MYSQL_PWD environment variable, never their
// command line, and every line they print is redacted.
package mysql
