package mysql

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

// conn is a database's connection, parsed from its URL.
type conn struct {
	host, port, user string
	socket           string
	database         string
	password         string            // for MYSQL_PWD; never an argument
	flags            map[string]string // tool flag -> value, from query parameters
	sslMode          string            // DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY
}

// flagParams maps query parameters, normalised by paramKey, to the flags
// that MariaDB's and MySQL's tools both accept.
var flagParams = map[string]string{
	"sslca":          "--ssl-ca",
	"sslcapath":      "--ssl-capath",
	"sslcert":        "--ssl-cert",
	"sslkey":         "--ssl-key",
	"sslcipher":      "--ssl-cipher",
	"sslcrl":         "--ssl-crl",
	"sslcrlpath":     "--ssl-crlpath",
	"tlsversion":     "--tls-version",
	"connecttimeout": "--connect-timeout",
}

var sslModes = []string{"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"}

// paramKey normalises a query parameter name: "ssl-ca", "ssl_ca" and
// "sslca" are the same parameter.
func paramKey(k string) string {
	return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(k))
}

// parseConn parses db's URL. The password is db.Password, else the URL's.
// Errors never contain the URL's password. Query parameters other than the
// TLS ones, socket, connect_timeout and ssl-mode (Rails' pool, encoding,
// reconnect...) are ignored.
func parseConn(db backup.Database) (*conn, error) {
	raw := db.URL.Reveal()
	if raw == "" {
		return nil, errors.New("no url: a mysql database needs url: mysql://user@host:3306/name")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("invalid url: %s", redact.RedactURL(err.Error()))
	}
	switch u.Scheme {
	case "mysql", "mysql2", "mariadb":
	default:
		return nil, fmt.Errorf("url scheme %q is not mysql, mysql2 or mariadb", u.Scheme)
	}
	c := &conn{host: u.Hostname(), port: u.Port(), database: strings.TrimPrefix(u.Path, "/"),
		flags: map[string]string{}}
	if u.User != nil {
		c.user = u.User.Username()
		c.password, _ = u.User.Password()
	}
	if pw := db.Password.Reveal(); pw != "" {
		c.password = pw
	}
	if c.database == "" || strings.Contains(c.database, "/") {
		return nil, fmt.Errorf("url path %q does not name one database", u.Path)
	}
	verify := false
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch key := paramKey(k); key {
		case "socket":
			c.socket = v
		case "sslmode":
			c.sslMode = strings.ToUpper(v)
			if !slices.Contains(sslModes, c.sslMode) {
				return nil, fmt.Errorf("url parameter %s=%q: want one of %s", k, v, strings.Join(sslModes, ", "))
			}
		case "sslverify":
			verify = v == "true" || v == "1"
		default:
			if flag, ok := flagParams[key]; ok {
				c.flags[flag] = v
			}
		}
	}
	if verify && c.sslMode == "" {
		c.sslMode = "VERIFY_IDENTITY"
	}
	return c, nil
}

// args returns the connection arguments of a tool, MariaDB's or MySQL's
// (their TLS mode flags differ). The password is not among them.
func (c *conn) args(mariadb bool) []string {
	var args []string
	switch {
	case c.socket != "":
		args = append(args, "--protocol=SOCKET", "--socket="+c.socket)
	case c.host != "" && (c.host != "localhost" || c.port != ""):
		// A URL names a network address; "localhost" alone keeps the
		// clients' meaning, the default Unix socket.
		args = append(args, "--protocol=TCP")
	}
	if c.host != "" {
		args = append(args, "--host="+c.host)
	}
	if c.port != "" {
		args = append(args, "--port="+c.port)
	}
	if c.user != "" {
		args = append(args, "--user="+c.user)
	}
	flags := make([]string, 0, len(c.flags))
	for f := range c.flags {
		flags = append(flags, f)
	}
	slices.Sort(flags)
	for _, f := range flags {
		args = append(args, f+"="+c.flags[f])
	}
	return append(args, sslModeArgs(c.sslMode, mariadb)...)
}

// sslModeArgs translates MySQL's --ssl-mode for MariaDB's tools, which
// only know --ssl, --skip-ssl and --ssl-verify-server-cert.
func sslModeArgs(mode string, mariadb bool) []string {
	switch {
	case mode == "":
		return nil
	case !mariadb:
		return []string{"--ssl-mode=" + mode}
	case mode == "DISABLED":
		return []string{"--skip-ssl"}
	case mode == "REQUIRED":
		return []string{"--ssl"}
	case mode == "VERIFY_CA", mode == "VERIFY_IDENTITY":
		return []string{"--ssl", "--ssl-verify-server-cert"}
	}
	return nil // PREFERRED is the default
}

// location is "host:port/database" with the clients' defaults filled in.
func (c *conn) location() string {
	host, port := c.host, c.port
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "3306"
	}
	if c.socket != "" {
		return host + ":" + c.socket + "/" + c.database
	}
	return net.JoinHostPort(host, port) + "/" + c.database
}

// env returns the tools' environment: db.Env, then MYSQL_PWD when there
// is a password.
func (c *conn) env(db backup.Database) []string {
	env := slices.Clone(db.Env)
	if c.password != "" {
		env = append(env, "MYSQL_PWD="+c.password)
	}
	return env
}
