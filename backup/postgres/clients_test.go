package postgres

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]version{"15": 1500, "9.6": 906, "15.4": 1500, "10": 1000, "9": 900} {
		if v, ok := parseVersion(in); !ok || v != want {
			t.Errorf("parseVersion(%q) = %d, %v; want %d", in, v, ok, want)
		}
	}
	for _, in := range []string{"", "common", "15beta1", "0"} {
		if v, ok := parseVersion(in); ok {
			t.Errorf("parseVersion(%q) = %d, want not ok", in, v)
		}
	}
	if s := version(906).String() + " " + version(1700).String(); s != "9.6 17" {
		t.Errorf("String = %q", s)
	}
}

func TestPick(t *testing.T) {
	installed := []client{{1700, "/pg/17/bin"}, {1500, "/pg/15/bin"}, {1300, "/pg/13/bin"}}
	for _, tc := range []struct {
		server version
		want   string // dir, or an error fragment
	}{
		{1500, "/pg/15/bin"}, // the server's own version
		{1300, "/pg/13/bin"},
		{1400, "/pg/17/bin"}, // else the newest newer one
		{906, "/pg/17/bin"},
		{1800, "needs client tools of version 18 or newer; installed: [17 (in /pg/17/bin) 15 (in /pg/15/bin) 13 (in /pg/13/bin)]: install postgresql-client-18"},
	} {
		c, err := pick(installed, tc.server)
		if got := c.dir; err != nil {
			got = err.Error()
			if !strings.Contains(got, tc.want) {
				t.Errorf("pick(%s) = %q, want %q", tc.server, got, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("pick(%s) = %q, want %q", tc.server, got, tc.want)
		}
	}
	if _, err := pick(nil, 1500); err == nil {
		t.Error("pick with no clients succeeded")
	}
}

func TestInstalledClients(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"13", "17", "9.6", "15"} {
		writeScript(t, filepath.Join(root, d, "bin", "psql"), "exit 0")
	}
	if err := os.MkdirAll(filepath.Join(root, "16", "bin"), 0o755); err != nil { // no psql
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "common"), 0o755); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range installedClients(root) {
		got = append(got, c.version.String()+"="+strings.TrimPrefix(c.dir, root))
	}
	if want := "17=/17/bin 15=/15/bin 13=/13/bin 9.6=/9.6/bin"; strings.Join(got, " ") != want {
		t.Errorf("installedClients = %q, want %q", got, want)
	}
	if c := installedClients(filepath.Join(root, "missing")); len(c) != 0 {
		t.Errorf("installedClients of a missing root = %v", c)
	}
}

// writeScript writes an executable shell script.
func writeScript(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
