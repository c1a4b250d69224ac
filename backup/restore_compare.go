package backup

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// canonicalPath returns p absolute and clean, with symlinks resolved as
// far as p exists, so that two names of one file compare equal.
func canonicalPath(p string) string {
	abs := absClean(p)
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(r, filepath.Base(abs))
	}
	return abs
}

// overlaps reports whether canonical paths a and b are the same or one
// lies inside the other.
func overlaps(a, b string) bool {
	return a == b || within(a, b) || within(b, a)
}

// within reports whether canonical path p lies strictly inside dir.
func within(p, dir string) bool {
	if dir == "/" {
		return p != "/"
	}
	return strings.HasPrefix(p, dir+"/")
}

// server is where a server database lives, normalised for comparison.
type server struct {
	host, port, name string
}

// defaultPorts are the adapters' default server ports.
var defaultPorts = map[string]string{"postgres": "5432", "mysql": "3306"}

// serverOf returns the server and database name of db, from its URL and
// the PG*/MYSQL_* variables of its Env; ok is false for a file database.
// Hosts are lowercased, loopback addresses and an empty host (a local
// socket) become "localhost", a missing port the adapter's default.
func serverOf(db Database) (s server, ok bool) {
	if db.Path != "" || CanonicalAdapter(db.Adapter) == "sqlite" {
		return server{}, false
	}
	if raw := db.URL.Reveal(); raw != "" {
		if u, err := url.Parse(raw); err == nil {
			s.host, s.port = u.Hostname(), u.Port()
			s.name = strings.TrimPrefix(u.Path, "/")
		}
	}
	envHost, envPort, envName := []string{"PGHOST"}, []string{"PGPORT"}, []string{"PGDATABASE"}
	if CanonicalAdapter(db.Adapter) == "mysql" {
		envHost, envPort, envName = []string{"MYSQL_HOST"}, []string{"MYSQL_TCP_PORT"}, []string{"MYSQL_DATABASE", "MARIADB_DATABASE"}
	}
	fill := func(v *string, names []string) {
		for _, n := range names {
			if *v == "" {
				*v = envValue(db.Env, n)
			}
		}
	}
	fill(&s.host, envHost)
	fill(&s.port, envPort)
	fill(&s.name, envName)
	s.host = strings.ToLower(strings.Trim(s.host, "[]"))
	if ip := net.ParseIP(s.host); s.host == "" || (ip != nil && ip.IsLoopback()) {
		s.host = "localhost"
	}
	if s.port == "" {
		s.port = defaultPorts[CanonicalAdapter(db.Adapter)]
	}
	return s, true
}

// envValue returns the value of the last NAME=value entry of env for name.
func envValue(env []string, name string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// hostPort is the server's address, for messages.
func (s server) hostPort() string { return net.JoinHostPort(s.host, s.port) }
