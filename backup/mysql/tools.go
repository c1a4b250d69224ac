package mysql

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/redact"
)

// The tools, in order of preference.
var (
	dumpTools   = []string{"mariadb-dump", "mysqldump"}
	clientTools = []string{"mariadb", "mysql"}
)

// defaultPath is searched when neither the database's Env nor
// kamal-backup's environment sets PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// findTool returns override if set, else the path of the first of names
// found in the PATH the tools will run with: the last PATH in env, else
// kamal-backup's.
func findTool(override string, names []string, env []string) (string, error) {
	if override != "" {
		return override, nil
	}
	path := os.Getenv("PATH")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	if path == "" {
		path = defaultPath
	}
	for _, name := range names {
		for _, dir := range filepath.SplitList(path) {
			if !filepath.IsAbs(dir) {
				continue
			}
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("neither %s found in PATH %s", strings.Join(names, " nor "), path)
}

// spec returns the Spec that runs tool with args for db: the password in
// MYSQL_PWD, stderr redacted and logged.
func (a *Adapter) spec(tool string, args []string, db backup.Database, c *conn) command.Spec {
	r := &redact.Redactor{}
	r.Add(c.password)
	r.AddEnv(db.Env)
	r.AddEnv([]string{"URL=" + db.URL.Reveal()}) // the URL's password, if db.Password overrides it
	name := filepath.Base(tool)
	return command.Spec{Path: tool, Args: args, Env: c.env(db), Redactor: r,
		Stderr: func(line string) {
			a.log.Warn("mysql tool output", "tool", name, "database", db.Name,
				"line", a.opts.Redactor.Redact(line))
		}}
}

// connArgs returns the connection arguments for tool. Only a URL that sets
// an ssl-mode needs to know whether tool is MariaDB's or MySQL's.
func (a *Adapter) connArgs(ctx context.Context, tool string, c *conn) []string {
	return c.args(c.sslMode != "" && a.isMariaDB(ctx, tool))
}

// isMariaDB reports whether tool is MariaDB's: by its name (mariadb-dump,
// or mysqldump as a link to it), else by its --version. The answer is
// cached per tool.
func (a *Adapter) isMariaDB(ctx context.Context, tool string) bool {
	if v, ok := a.flavours.Load(tool); ok {
		return v.(bool)
	}
	name := filepath.Base(tool)
	if p, err := filepath.EvalSymlinks(tool); err == nil {
		name = filepath.Base(p)
	}
	mariadb := strings.HasPrefix(name, "mariadb")
	if !mariadb {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var out bytes.Buffer
		err := command.Run(ctx, command.Spec{Path: tool, Args: []string{"--version"}}, &out)
		mariadb = err == nil && strings.Contains(out.String(), "MariaDB")
	}
	a.flavours.Store(tool, mariadb)
	return mariadb
}
