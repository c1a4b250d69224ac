package postgres

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

// libpqParams are the libpq connection parameters a URL's query may set.
// password is taken out for PGPASSWORD; sslpassword is refused because
// libpq reads it only from the connection string, which is on the
// command line.
var libpqParams = []string{"host", "hostaddr", "port", "dbname", "user", "passfile",
	"channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
	"fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
	"keepalives_count", "tcp_user_timeout", "gssencmode", "sslmode", "sslcompression",
	"sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
	"ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
	"service", "target_session_attrs"}

// envParams are the PG* variables whose values conn puts in the
// connection string, so that the location it describes is the one used.
var envParams = [][2]string{{"host", "PGHOST"}, {"port", "PGPORT"}, {"user", "PGUSER"}, {"dbname", "PGDATABASE"}}

// conn is how the client tools reach one database.
type conn struct {
	params   [][2]string // libpq keyword and value, in order; never a password
	password string      // for PGPASSWORD; empty leaves Env's
	env      []string    // Database.Env
	ignored  []string    // URL parameters libpq does not know (Rails' pool=...)
}

// parseConn reads db's URL, PG* variables and password. Its errors never
// hold the password.
func parseConn(db backup.Database) (*conn, error) {
	c := &conn{env: db.Env}
	for _, p := range envParams {
		if v := lookupEnv(db.Env, p[1]); v != "" {
			c.set(p[0], v)
		}
	}
	if raw := db.URL.Reveal(); raw != "" {
		if err := c.parseURL(raw); err != nil {
			return nil, err
		}
	}
	if pw := db.Password.Reveal(); pw != "" {
		c.password = pw
	}
	if c.get("dbname") == "" {
		return nil, errors.New("no database name: put it in the URL's path (postgres://host/dbname) or in PGDATABASE")
	}
	return c, nil
}

func (c *conn) parseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("database URL %s is not a valid postgres:// or postgresql:// URL", redact.RedactURL(raw))
	}
	if u.User != nil {
		if name := u.User.Username(); name != "" {
			c.set("user", name)
		}
		if pw, ok := u.User.Password(); ok && pw != "" {
			c.password = pw
		}
	}
	if h := u.Hostname(); h != "" {
		c.set("host", h)
	}
	if p := u.Port(); p != "" {
		c.set("port", p)
	}
	if d := strings.TrimPrefix(u.Path, "/"); d != "" {
		c.set("dbname", d)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("database URL %s has an invalid query", redact.RedactURL(raw))
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := q[k][len(q[k])-1]
		switch {
		case k == "password":
			c.password = v
		case k == "sslpassword":
			return errors.New("database URL: sslpassword is not supported (it would be on the command line); use a key without a passphrase")
		case slices.Contains(libpqParams, k):
			c.set(k, v)
		default:
			c.ignored = append(c.ignored, k)
		}
	}
	return nil
}

func (c *conn) set(key, value string) {
	for i := range c.params {
		if c.params[i][0] == key {
			c.params[i][1] = value
			return
		}
	}
	c.params = append(c.params, [2]string{key, value})
}

func (c *conn) get(key string) string {
	for _, p := range c.params {
		if p[0] == key {
			return p[1]
		}
	}
	return ""
}

// conninfo returns the libpq connection string for --dbname, without the
// password: key='value' pairs with quotes and backslashes escaped.
func (c *conn) conninfo() string {
	esc := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	parts := make([]string, len(c.params))
	for i, p := range c.params {
		parts[i] = p[0] + "='" + esc.Replace(p[1]) + "'"
	}
	return strings.Join(parts, " ")
}

// environ returns the tools' environment: English messages (the adapter
// reads some), Database.Env, and PGPASSWORD.
func (c *conn) environ() []string {
	env := append([]string{"LC_MESSAGES=C"}, c.env...)
	if c.password != "" {
		env = append(env, "PGPASSWORD="+c.password)
	}
	return env
}

// redactor returns a Redactor that knows the password and Env's secrets.
func (c *conn) redactor() *redact.Redactor {
	r := &redact.Redactor{}
	r.Add(c.password)
	r.AddEnv(c.env)
	return r
}

// location returns "host:port/dbname"; libpq's defaults are shown as
// localhost and 5432.
func (c *conn) location() string {
	host, port := c.get("host"), c.get("port")
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "5432"
	}
	return net.JoinHostPort(host, port) + "/" + c.get("dbname")
}

// lookupEnv returns the value of the last entry named name in env.
func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}
