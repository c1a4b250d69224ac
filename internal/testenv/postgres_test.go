package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestStartPostgres(t *testing.T) {
	t.Parallel()
	var pid int
	t.Run("server", func(t *testing.T) {
		p := StartPostgres(t)
		pid = p.cmd.Process.Pid
		if u := p.URL("app"); strings.Contains(u, p.Password()) || u != "postgres://kbtest@127.0.0.1:"+strconv.Itoa(p.Port())+"/app" {
			t.Errorf("URL = %q", u)
		}
		p.CreateDB(t, "app")
		got := p.Psql(t, "app", "SELECT current_user, current_database(); SHOW server_encoding; SHOW fsync;")
		if want := "kbtest|app\nUTF8\noff"; got != want {
			t.Errorf("Psql = %q, want %q", got, want)
		}
		if !strings.HasPrefix(p.Env()[0], "PGPASSWORD=") || len(p.Password()) < 16 {
			t.Errorf("Env = %d entries, password of %d characters", len(p.Env()), len(p.Password()))
		}
		if _, err := os.Stat(filepath.Join(p.BinDir(), "pg_dump")); err != nil {
			t.Errorf("BinDir: %v", err)
		}

		// The password is required: a wrong one is refused.
		if out, err := connectPostgres(p, "PGPASSWORD=wrong-password", p.URL("app")); err == nil || !strings.Contains(out, "password authentication failed") {
			t.Errorf("wrong password: %v\n%s", err, out)
		}
		// Stop makes the server go away; a second Stop is harmless.
		p.Stop(t)
		p.Stop(t)
		if out, err := connectPostgres(p, p.Env()[0], p.URL("app")); err == nil || !strings.Contains(out, "Connection refused") {
			t.Errorf("after Stop: %v\n%s", err, out)
		}
	})
	if pid != 0 && syscall.Kill(pid, 0) == nil {
		t.Errorf("postgres %d still runs after the test", pid)
	}
}

func TestStartPostgresCleanupStops(t *testing.T) {
	t.Parallel()
	var pid int
	var dir string
	t.Run("server", func(t *testing.T) {
		p := StartPostgres(t)
		pid, dir = p.cmd.Process.Pid, p.dir
		if out, err := connectPostgres(p, p.Env()[0], p.URL("postgres")); err != nil {
			t.Fatalf("connect by URL: %v\n%s", err, out)
		}
	})
	if pid == 0 {
		return // skipped
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("postgres %d after cleanup: kill 0 = %v", pid, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data directory after cleanup: %v", err)
	}
}

// connectPostgres connects to url with env and runs SELECT 1.
func connectPostgres(p *Postgres, env, url string) (string, error) {
	cmd := exec.Command(filepath.Join(p.BinDir(), "psql"), "-X", "-w", "-Atc", "SELECT 1", url)
	cmd.Env = append(postgresEnv(), env)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
