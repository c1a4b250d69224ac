package mysql

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

func TestParseConn(t *testing.T) {
	for _, tc := range []struct {
		url, password string
		mariadb       bool
		wantArgs      []string
		wantPassword  string
		wantLocation  string
	}{
		{
			url:      "mysql://kbtest@127.0.0.1:3307/app",
			wantArgs: []string{"--protocol=TCP", "--host=127.0.0.1", "--port=3307", "--user=kbtest"}, wantLocation: "127.0.0.1:3307/app",
		},
		{
			url:      "mysql2://app:s3cr%40t@db.internal/app_production?pool=5&encoding=utf8mb4&sslca=/ca.pem&ssl_mode=verify_identity&ssl-key=/k.pem",
			password: "", mariadb: true,
			wantArgs: []string{"--protocol=TCP", "--host=db.internal", "--user=app", "--ssl-ca=/ca.pem", "--ssl-key=/k.pem",
				"--ssl", "--ssl-verify-server-cert"},
			wantPassword: "s3cr@t", wantLocation: "db.internal:3306/app_production",
		},
		{
			url:          "mysql2://app:from-url@db.internal/app?sslMode=REQUIRED&connect_timeout=5",
			password:     "from-config",
			wantArgs:     []string{"--protocol=TCP", "--host=db.internal", "--user=app", "--connect-timeout=5", "--ssl-mode=REQUIRED"},
			wantPassword: "from-config", wantLocation: "db.internal:3306/app",
		},
		{
			url: "mariadb://root@localhost/app?ssl-mode=DISABLED", mariadb: true,
			wantArgs: []string{"--host=localhost", "--user=root", "--skip-ssl"}, wantLocation: "localhost:3306/app",
		},
		{
			url:          "mysql://app@localhost/app?socket=/run/mysqld/mysqld.sock",
			wantArgs:     []string{"--protocol=SOCKET", "--socket=/run/mysqld/mysqld.sock", "--host=localhost", "--user=app"},
			wantLocation: "localhost:/run/mysqld/mysqld.sock/app",
		},
		{
			url: "mysql://[::1]:3306/my%20db?sslverify=true", mariadb: true,
			wantArgs: []string{"--protocol=TCP", "--host=::1", "--port=3306", "--ssl", "--ssl-verify-server-cert"}, wantLocation: "[::1]:3306/my db",
		},
	} {
		t.Run(tc.url, func(t *testing.T) {
			db := backup.Database{Name: "app", URL: redact.NewSecret(tc.url), Password: redact.NewSecret(tc.password)}
			c, err := parseConn(db)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantArgs, c.args(tc.mariadb)); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			if c.password != tc.wantPassword {
				t.Errorf("password = %q, want %q", c.password, tc.wantPassword)
			}
			if got := (&Adapter{}).Describe(db); got != (backup.Target{Adapter: "mysql", Database: "app", Location: tc.wantLocation}) {
				t.Errorf("Describe = %+v", got)
			}
			env := c.env(db)
			if tc.wantPassword != "" && !slices.Contains(env, "MYSQL_PWD="+tc.wantPassword) {
				t.Errorf("env = %q, want MYSQL_PWD", env)
			}
		})
	}
}

func TestParseConnErrors(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"", "no url"},
		{"postgres://u:hunter2-pw@h/app", `url scheme "postgres"`},
		{"mysql://u:hunter2-pw@h/", "does not name one database"},
		{"mysql://u:hunter2-pw@h/a/b", "does not name one database"},
		{"mysql://u:hunter2-pw@h:port/app", "invalid url"},
		{"mysql://u:hunter2-pw@h/app?ssl-mode=sometimes", "ssl-mode=\"sometimes\""},
	} {
		_, err := parseConn(backup.Database{Name: "app", URL: redact.NewSecret(tc.url)})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("parseConn(%q) = %v, want an error containing %q and no password", tc.url, err, tc.want)
		}
	}
	if got := (&Adapter{}).Describe(backup.Database{Name: "app", URL: redact.NewSecret("mysql://u:hunter2-pw@h/")}); got.Location != "(invalid url)" {
		t.Errorf("Describe of an invalid URL = %+v", got)
	}
}

func TestFindToolPrefersMariaDB(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	for _, p := range []string{filepath.Join(first, "mysqldump"), filepath.Join(second, "mariadb-dump"), filepath.Join(first, "mysql")} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=/nowhere", "PATH=relative:" + first + ":" + second}
	if got, err := findTool("", dumpTools, env); err != nil || got != filepath.Join(second, "mariadb-dump") {
		t.Errorf("dump tool = %q, %v; want mariadb-dump, preferred wherever it is in PATH", got, err)
	}
	if got, err := findTool("", clientTools, env); err != nil || got != filepath.Join(first, "mysql") {
		t.Errorf("client tool = %q, %v; want the mysql fallback", got, err)
	}
	if got, err := findTool("/opt/mysql/bin/mysqldump", dumpTools, env); err != nil || got != "/opt/mysql/bin/mysqldump" {
		t.Errorf("override = %q, %v", got, err)
	}
	if _, err := findTool("", dumpTools, []string{"PATH=" + t.TempDir()}); err == nil || !strings.Contains(err.Error(), "neither mariadb-dump nor mysqldump") {
		t.Errorf("no tool: %v", err)
	}
}

func TestInventory(t *testing.T) {
	out := "schema\t617070\nview\t76\ntable\t60\nevent\t65\nsequence\t73\nfunction\t66\nprocedure\t70\ntable\t0a\n"
	inv, err := parseInventory([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := "SET FOREIGN_KEY_CHECKS = 0;\n" +
		"DROP VIEW IF EXISTS `a``b`.`v`;\n" +
		"DROP TABLE IF EXISTS `a``b`.````;\n" +
		"DROP TABLE IF EXISTS `a``b`.`\n`;\n" +
		"DROP SEQUENCE IF EXISTS `a``b`.`s`;\n" +
		"DROP PROCEDURE IF EXISTS `a``b`.`p`;\n" +
		"DROP FUNCTION IF EXISTS `a``b`.`f`;\n" +
		"DROP EVENT IF EXISTS `a``b`.`e`;\n"
	if got := inv.dropSQL("a`b", true); got != want {
		t.Errorf("dropSQL:\n%s\nwant:\n%s", got, want)
	}
	if got := (inventory{}).dropSQL("new", true); got != "CREATE DATABASE `new`;\n" {
		t.Errorf("dropSQL of a missing database = %q", got)
	}
	if got := (inventory{exists: true}).dropSQL("empty", true); got != "" {
		t.Errorf("dropSQL of an empty database = %q", got)
	}
	if _, err := parseInventory([]byte("table\tzz\n")); err == nil {
		t.Error("parseInventory accepted a bad line")
	}
	if sql := inventorySQL("x'; DROP"); strings.Contains(sql, "DROP") || !strings.Contains(sql, "X'78273b2044524f50'") {
		t.Errorf("inventorySQL does not hex-encode the name:\n%s", sql)
	}
}
