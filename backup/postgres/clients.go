package postgres

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/kamal-backup/kamal-backup/internal/command"
)

var (
	versionRE     = regexp.MustCompile(`^(\d+)(?:\.(\d+))?$`)
	toolVersionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+(?:\.\d+)?)`)
)

// version is a PostgreSQL major version: 100 times the major number, plus
// the minor number before PostgreSQL 10 ("9.6" is 906, "15" is 1500).
type version int

// String returns the version as PostgreSQL and Debian's directories name
// it: "15", "9.6".
func (v version) String() string {
	if v >= 1000 {
		return strconv.Itoa(int(v) / 100)
	}
	return fmt.Sprintf("%d.%d", v/100, v%100)
}

// parseVersion reads "15", "9.6" or "15.4"; ok is false for anything else.
func parseVersion(s string) (v version, ok bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major >= 10 {
		return version(major * 100), true
	}
	return version(major*100 + minor), major > 0
}

// client is one installed version of the client tools.
type client struct {
	version version
	dir     string // "" means PATH
}

// tool returns the path of the named tool, or its name to look up in PATH.
func (c client) tool(name string) string {
	if c.dir == "" {
		return name
	}
	return filepath.Join(c.dir, name)
}

func (c client) where() string {
	if c.dir == "" {
		return "in PATH"
	}
	return "in " + c.dir
}

// installedClients returns the <root>/<version>/bin directories holding a
// psql, newest first.
func installedClients(root string) []client {
	entries, _ := os.ReadDir(root)
	var out []client
	for _, e := range entries {
		v, ok := parseVersion(e.Name())
		dir := filepath.Join(root, e.Name(), "bin")
		if fi, err := os.Stat(filepath.Join(dir, "psql")); ok && err == nil && fi.Mode().IsRegular() {
			out = append(out, client{version: v, dir: dir})
		}
	}
	slices.SortFunc(out, func(a, b client) int { return int(b.version - a.version) })
	return out
}

// pathClient returns the tools in the PATH of env (else kamal-backup's),
// with the version pg_dump reports ("pg_dump (PostgreSQL) 16.2").
func pathClient(ctx context.Context, env []string) (client, error) {
	var out bytes.Buffer
	if err := command.Run(ctx, command.Spec{Path: "pg_dump", Args: []string{"--version"}, Env: env}, &out); err != nil {
		return client{}, fmt.Errorf("no PostgreSQL client tools in %s/<version>/bin or PATH (install postgresql-client): %w", DefaultRoot, toolErr(err))
	}
	m := toolVersionRE.FindSubmatch(out.Bytes())
	if m == nil {
		return client{}, fmt.Errorf("pg_dump --version printed %q, not a PostgreSQL version", bytes.TrimSpace(out.Bytes()))
	}
	v, _ := parseVersion(string(m[1]))
	return client{version: v}, nil
}

// pick returns the client for a server of version server: the same
// version if installed, else the newest newer one. clients are sorted
// newest first.
func pick(clients []client, server version) (client, error) {
	if i := slices.IndexFunc(clients, func(c client) bool { return c.version == server }); i >= 0 {
		return clients[i], nil
	}
	if len(clients) > 0 && clients[0].version > server {
		return clients[0], nil
	}
	var have []string
	for _, c := range clients {
		have = append(have, c.version.String()+" ("+c.where()+")")
	}
	return client{}, fmt.Errorf("the server runs PostgreSQL %s, which needs client tools of version %s or newer; installed: %v: install postgresql-client-%s",
		server, server, have, server)
}
