package mysql_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/backup/mysql"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
)

// TestPasswordNeverInArgv runs dump, reset and restore through wrapper
// scripts that record the command line and environment of every tool the
// adapter spawns, with the password in the config and in the URL. The
// second case offers only mysqldump and mysql, the fallbacks.
func TestPasswordNeverInArgv(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := testenv.StartMariaDB(t)
	srv.CreateDB(t, "shop")
	srv.SQL(t, "shop", "CREATE TABLE t (id INT PRIMARY KEY, s TEXT); INSERT INTO t VALUES (1, 'x')")
	pw := srv.Password()
	real := map[string]string{
		"mariadb-dump": testenv.Tool(t, "mariadb-dump"), "mysqldump": testenv.Tool(t, "mariadb-dump"),
		"mariadb": testenv.Tool(t, "mariadb"), "mysql": testenv.Tool(t, "mariadb"),
	}
	urlWithPassword := strings.Replace(srv.URL("shop"), "kbtest@", "kbtest:"+url.QueryEscape(pw)+"@", 1)

	for _, tc := range []struct {
		name  string
		tools []string
		db    backup.Database
	}{
		{"config password", []string{"mariadb-dump", "mariadb"}, mysqlDB(srv, "shop", "shop")},
		{"url password, mysql tools", []string{"mysqldump", "mysql"}, backup.Database{Name: "shop", URL: redact.NewSecret(urlWithPassword)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "argv.log")
			for _, name := range tc.tools {
				script := fmt.Sprintf("#!/bin/sh\nprintf '%%s' \"$0\" >> %[1]s\nfor a in \"$@\"; do printf ' [%%s]' \"$a\" >> %[1]s; done\n"+
					"echo \" MYSQL_PWD=${MYSQL_PWD:+set}\" >> %[1]s\nexec %[2]s \"$@\"\n", log, real[name])
				if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			db := tc.db
			db.Env = []string{"PATH=" + dir}
			a := mysql.New(mysql.Options{})
			r := newRepo(t)
			if _, err := backupTo(ctx, r, a, db, nil); err != nil {
				t.Fatal(err)
			}
			if err := a.Reset(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := restoreFrom(ctx, r, a, db, db); err != nil {
				t.Fatal(err)
			}
			if got := srv.SQL(t, "shop", "SELECT * FROM t"); got != "1\tx\n" {
				t.Errorf("restored %q", got)
			}

			var calls []string
			for _, c := range lines(readFile(t, log)) {
				// The version probe of a mysqldump that is not MariaDB's by
				// name gets no password at all.
				if strings.HasSuffix(c, " [--version] MYSQL_PWD=") {
					continue
				}
				calls = append(calls, c)
			}
			t.Logf("tool calls:\n%s", strings.Join(calls, "\n"))
			// Dump; Reset: list, drop; Restore: list (nothing left to
			// drop), import.
			if len(calls) != 5 {
				t.Errorf("%d tool calls, want 5", len(calls))
			}
			for _, c := range calls {
				if !strings.HasPrefix(c, filepath.Join(dir, tc.tools[0])+" ") && !strings.HasPrefix(c, filepath.Join(dir, tc.tools[1])+" ") {
					t.Errorf("unexpected tool: %s", c)
				}
				if !strings.HasSuffix(c, " MYSQL_PWD=set") {
					t.Errorf("no MYSQL_PWD: %s", c)
				}
				for _, form := range []string{pw, url.QueryEscape(pw)} {
					if strings.Contains(c, form) {
						t.Errorf("the password is in the command line: %s", c)
					}
				}
			}
		})
	}
}
