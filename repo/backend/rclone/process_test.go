package rclone_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rclone"
)

// TestOnTheFlyRemote serves the repository through an on-the-fly
// ":local:" remote and checks Location.
func TestOnTheFlyRemote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	be := openRemote(t, ":local:"+dir, options(t, testEnv(t)))
	if be.Location() != "rclone::local:"+dir {
		t.Errorf("Location() = %q", be.Location())
	}
	if be.Connections() != rclone.DefaultConnections {
		t.Errorf("Connections() = %d", be.Connections())
	}
	ctx := context.Background()
	if err := be.Create(ctx); err != nil {
		t.Fatal(err)
	}
	if err := be.Save(ctx, backend.Handle{Type: backend.ConfigFile}, backend.NewByteReader([]byte("cfg"))); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config")); err != nil || string(b) != "cfg" {
		t.Errorf("config on disk: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "keys")); err != nil || !fi.IsDir() {
		t.Errorf("create made no keys directory: %v", err)
	}
}

// TestEnvironment: a remote defined only by RCLONE_CONFIG_* variables in
// Options.Env reaches rclone.
func TestEnvironment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	env := append(testEnv(t), "RCLONE_CONFIG_KBENVTEST_TYPE=local")
	be := openRemote(t, "kbenvtest:"+dir, options(t, env))
	ctx := context.Background()
	if err := be.Save(ctx, backend.Handle{Type: backend.ConfigFile}, backend.NewByteReader([]byte("env"))); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config")); err != nil || string(b) != "env" {
		t.Errorf("config on disk: %q, %v", b, err)
	}
}

// TestBadRemote: a remote rclone cannot open fails Open with rclone's
// message, and secrets of the connection string are redacted from it and
// from the log.
func TestBadRemote(t *testing.T) {
	var log syncBuffer
	opts := options(t, testEnv(t))
	opts.Logger = slog.New(slog.NewTextHandler(&log, nil))
	opts.Timeout = 30 * time.Second
	start := time.Now()
	remote := ":sftp,host=127.0.0.1,port=1,user=nobody,key_pem=SuperSecretKeyPEM,pass=SuperSecretPass:/srv/repo"
	_, err := rclone.Open(context.Background(), remote, opts)
	if !errors.Is(err, rclone.ErrExited) {
		t.Fatalf("open %s: %v, want ErrExited", remote, err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("open took %v", time.Since(start))
	}
	for _, s := range []string{err.Error(), log.String()} {
		if strings.Contains(s, "SuperSecret") {
			t.Errorf("secret shown: %s", s)
		}
	}
	if !strings.Contains(err.Error(), "rclone::sftp,host=127.0.0.1,port=1,user=nobody,key_pem=[REDACTED],pass=[REDACTED]:/srv/repo") {
		t.Errorf("error does not name the redacted location: %v", err)
	}
	t.Log(err)

	_, err = rclone.Open(context.Background(), "nosuchremote:repo", options(t, testEnv(t)))
	if !errors.Is(err, rclone.ErrExited) || !strings.Contains(err.Error(), "nosuchremote") {
		t.Errorf("open of an unknown remote: %v", err)
	}
	opts = options(t, nil)
	opts.Program = filepath.Join(t.TempDir(), "no-rclone")
	if _, err := rclone.Open(context.Background(), "/tmp/x", opts); err == nil {
		t.Error("open with a missing program: no error")
	}
}

// TestChildDies: once rclone is gone, operations fail permanently and say
// why; Close still returns.
func TestChildDies(t *testing.T) {
	be := openRemote(t, filepath.Join(t.TempDir(), "repo"), options(t, testEnv(t)))
	ctx := context.Background()
	h := backend.Handle{Type: backend.ConfigFile}
	if err := be.Save(ctx, h, backend.NewByteReader([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	pid := rclone.PID(be)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := be.Load(ctx, h, 0, 0, func(rd io.Reader) error { _, err := io.ReadAll(rd); return err })
	if !errors.Is(err, rclone.ErrExited) || !be.IsPermanentError(err) || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("load after rclone died: %v (permanent %v)", err, be.IsPermanentError(err))
	}
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCloseStopsChild: Close makes rclone exit.
func TestCloseStopsChild(t *testing.T) {
	be := openRemote(t, filepath.Join(t.TempDir(), "repo"), options(t, testEnv(t)))
	pid := rclone.PID(be)
	start := time.Now()
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("close took %v", d)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("rclone (pid %d) still exists after Close: %v", pid, err)
	}
	_, err := be.Stat(context.Background(), backend.Handle{Type: backend.ConfigFile})
	if err == nil || !be.IsPermanentError(err) {
		t.Errorf("stat after close: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
