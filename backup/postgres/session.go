package postgres

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/redact"
)

// session is one operation on one database: its connection, the client
// tools chosen for its server, and how their output is redacted.
type session struct {
	a        *Adapter
	op       string
	target   backup.Target
	conn     *conn
	redactor *redact.Redactor
	client   client
}

// open prepares operation op on db. With match, it asks the server for
// its version and picks the client tools for it; otherwise it uses the
// newest client. Its errors are *Error values.
func (a *Adapter) open(ctx context.Context, db backup.Database, op string, match bool) (*session, error) {
	s := &session{a: a, op: op, target: a.Describe(db)}
	c, err := parseConn(db)
	if err != nil {
		return nil, s.fail(err)
	}
	s.conn, s.redactor = c, c.redactor()
	if len(c.ignored) > 0 {
		a.log.Warn("ignoring URL parameters that libpq does not know", "database", db.Name, "parameters", c.ignored)
	}
	clients := installedClients(a.root)
	if len(clients) == 0 {
		pc, err := pathClient(ctx, c.environ())
		if err != nil {
			return nil, s.fail(err)
		}
		clients = []client{pc}
	}
	s.client = clients[0]
	if !match {
		return s, nil
	}
	v, err := s.serverVersion(ctx)
	if err != nil {
		return nil, s.fail(fmt.Errorf("query server version: %w", err))
	}
	if s.client, err = pick(clients, v); err != nil {
		return nil, s.fail(err)
	}
	a.log.Debug("postgres client chosen", "database", db.Name, "server", v.String(), "client", s.client.version.String(), "dir", s.client.dir)
	return s, nil
}

// serverVersion asks the server for server_version_num (150004 for 15.4).
func (s *session) serverVersion(ctx context.Context) (version, error) {
	var out bytes.Buffer
	err := command.Run(ctx, s.spec("psql", "-X", "-A", "-t", "-q", "-c", "SHOW server_version_num"), &out)
	if err != nil {
		return 0, toolErr(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(out.String()))
	if err != nil || n < 90000 {
		return 0, fmt.Errorf("unexpected server_version_num %q", strings.TrimSpace(out.String()))
	}
	return version(n / 100), nil
}

// spec returns the command running tool with args, --no-password and the
// connection string; its stderr lines go to the logger.
func (s *session) spec(tool string, args ...string) command.Spec {
	spec := command.Spec{
		Path:     s.client.tool(tool),
		Args:     append(args, "--no-password", "--dbname="+s.conn.conninfo()),
		Env:      s.conn.environ(),
		Redactor: s.redactor,
		Stderr: func(line string) {
			s.a.log.LogAttrs(context.Background(), slog.LevelWarn, "postgres client output",
				slog.String("tool", tool), slog.String("database", s.target.Database), slog.String("line", line))
		},
	}
	if s.a.observe != nil {
		s.a.observe(spec)
	}
	return spec
}

// fail returns err as an *Error of the session's operation; nil stays nil.
func (s *session) fail(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: s.op, Target: s.target, Err: err}
}
