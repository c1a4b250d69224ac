package mysql

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/redact"
)

// fakeTool writes a script named name that prints version for --version,
// and otherwise its arguments, one a line, then runs tail (shell code).
func fakeTool(t *testing.T, name, version, tail string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '" + version + "'; exit 0; fi\n" +
		"for a in \"$@\"; do echo \"$a\"; done\n" + tail + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDumpFlavours checks the flags that differ between MySQL's mysqldump
// and MariaDB's: TLS mode and GTIDs.
func TestDumpFlavours(t *testing.T) {
	db := backup.Database{Name: "app", URL: redact.NewSecret("mysql2://app:pw-1234@db:3306/app_production?ssl_mode=required")}
	for _, tc := range []struct {
		name, version string
		want, not     []string
	}{
		{"mysqldump", "mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)",
			[]string{"--ssl-mode=REQUIRED", "--set-gtid-purged=OFF"}, []string{"--ssl"}},
		{"mysqldump", "mysqldump  Ver 10.19 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)",
			[]string{"--ssl"}, []string{"--ssl-mode=REQUIRED", "--set-gtid-purged=OFF"}},
		{"mariadb-dump", "(not asked)", []string{"--ssl"}, []string{"--ssl-mode=REQUIRED", "--set-gtid-purged=OFF"}},
	} {
		a := New(Options{DumpTool: fakeTool(t, tc.name, tc.version, "")})
		rc, err := a.Dump(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		args := strings.Split(strings.TrimSpace(string(out)), "\n")
		for _, w := range tc.want {
			if !contains(args, w) {
				t.Errorf("%s: args %q lack %s", tc.version, args, w)
			}
		}
		for _, n := range tc.not {
			if contains(args, n) {
				t.Errorf("%s: args %q have %s", tc.version, args, n)
			}
		}
		if args[len(args)-2] != "--" || args[len(args)-1] != "app_production" {
			t.Errorf("args end with %q, want -- app_production", args[len(args)-2:])
		}
	}
}

// TestDumpToolFailure checks that a failing dump tool's error names the
// database, keeps the tool's message, and has the password redacted from
// the error and the log, even when the tool prints it.
func TestDumpToolFailure(t *testing.T) {
	tool := fakeTool(t, "mariadb-dump", "", `echo "connecting with $MYSQL_PWD" >&2; echo "boom: server said no" >&2; exit 3`)
	var logs bytes.Buffer
	a := New(Options{DumpTool: tool, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	db := backup.Database{Name: "app", URL: redact.NewSecret("mysql://app@db/app_production"), Password: redact.NewSecret("s3cret-pw-9876")}
	rc, err := a.Dump(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), `dump database "app" (db:3306/app_production): mariadb-dump: exit status 3: boom: server said no`) {
		t.Errorf("error = %v", err)
	}
	if !strings.Contains(logs.String(), "connecting with [REDACTED]") || strings.Contains(logs.String()+err.Error(), "s3cret") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
