package testenv

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartMariaDB(t *testing.T) {
	start := time.Now()
	m := StartMariaDB(t)
	t.Logf("MariaDB ready in %v", time.Since(start))

	if u := m.URL("app"); u != "mysql://kbtest@"+m.Addr()+"/app" || strings.Contains(u, m.Password()) {
		t.Errorf("URL = %q", u)
	}
	if env := m.Env(); len(env) != 1 || env[0] != "MYSQL_PWD="+m.Password() || len(m.Password()) < 16 {
		t.Errorf("Env = %q", env)
	}
	m.CreateDB(t, "app-1")
	m.SQL(t, "app-1", "CREATE TABLE t (s VARCHAR(20)); INSERT INTO t VALUES ('Zoë 🎉')")
	if got := m.SQL(t, "app-1", "SELECT CURRENT_USER(), s, @@character_set_database FROM t"); got != "kbtest@%\tZoë 🎉\tutf8mb4\n" {
		t.Errorf("SQL = %q", got)
	}

	m.Stop(t)
	if c, err := net.DialTimeout("tcp", m.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the server still accepts connections after Stop")
	}
	m.Stop(t) // a second Stop, and the one at cleanup, do nothing
}

func TestRemoveAbandonedMariaDB(t *testing.T) {
	root := t.TempDir()
	old := time.Now().Add(-time.Hour)
	mk := func(name string, mtime time.Time) string {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(dir, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	abandoned, fresh, held, other := mk("kbmdb-1", old), mk("kbmdb-2", time.Now()), mk("kbmdb-3", old), mk("other", old)
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	removeAbandonedMariaDB(root)
	for dir, want := range map[string]bool{abandoned: false, fresh: true, held: true, other: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
}
