package sftp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

func openTest(t *testing.T, srv *testenv.SSHD, knownHosts string) *SFTP {
	t.Helper()
	cfg := Config{User: srv.User, Host: srv.Host, Port: srv.Port, Path: t.TempDir()}
	be, err := Open(context.Background(), cfg, Options{KeyFile: srv.KeyFile, KnownHostsFile: knownHosts, Home: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// breakConn closes the backend's SSH connection under it and waits until
// the backend can tell.
func breakConn(be *SFTP) {
	be.mu.Lock()
	c := be.conn
	be.mu.Unlock()
	c.ssh.Close()
	<-c.done
}

// TestReconnect: after the connection breaks, the next operation dials a
// new one.
func TestReconnect(t *testing.T) {
	srv := testenv.StartSSHD(t)
	be := openTest(t, srv, srv.KnownHosts)
	ctx := context.Background()
	h := backend.Handle{Type: backend.ConfigFile}
	if err := be.Save(ctx, h, backend.NewByteReader([]byte("before"))); err != nil {
		t.Fatal(err)
	}
	breakConn(be)
	if fi, err := be.Stat(ctx, h); err != nil || fi.Size != 6 {
		t.Fatalf("stat after a broken connection: %v, %v", fi, err)
	}

	// A lost connection in the middle of an operation is transient.
	be.mu.Lock()
	c := be.conn
	be.mu.Unlock()
	c.ssh.Close()
	_, err := c.sftp.Stat(be.cfg.Path)
	if err == nil || be.IsPermanentError(err) {
		t.Errorf("stat on a closed connection: %v, permanent %v", err, be.IsPermanentError(err))
	}
	<-c.done

	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := be.Stat(ctx, h); !errors.Is(err, errClosed) || !be.IsPermanentError(err) {
		t.Errorf("stat after Close: %v", err)
	}
}

// TestHostKeyChangesUnderUs: when the key of a server changes between
// connections, the reconnecting operation fails permanently.
func TestHostKeyChangesUnderUs(t *testing.T) {
	srv := testenv.StartSSHD(t)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	orig, err := os.ReadFile(srv.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kh, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	be := openTest(t, srv, kh)
	other, err := os.ReadFile(testenv.SSHKey(t) + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("[127.0.0.1]:%d %s\n", srv.Port, strings.TrimSpace(string(other)))
	if err := os.WriteFile(kh, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	breakConn(be)
	_, err = be.Stat(context.Background(), backend.Handle{Type: backend.ConfigFile})
	if !errors.Is(err, ErrHostKeyMismatch) || !be.IsPermanentError(err) {
		t.Fatalf("stat after the host key changed: %v, permanent %v", err, be.IsPermanentError(err))
	}
}

// TestKeyFileGone: a key file missing when reconnecting is a permanent
// error that does not read as a missing repository file.
func TestKeyFileGone(t *testing.T) {
	srv := testenv.StartSSHD(t)
	key := filepath.Join(t.TempDir(), "key")
	b, err := os.ReadFile(srv.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{User: srv.User, Host: srv.Host, Port: srv.Port, Path: t.TempDir()}
	be, err := Open(context.Background(), cfg, Options{KeyFile: key, KnownHostsFile: srv.KnownHosts, Home: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	breakConn(be)
	_, err = be.Stat(context.Background(), backend.Handle{Type: backend.ConfigFile})
	if err == nil || be.IsNotExist(err) || !be.IsPermanentError(err) || !strings.Contains(err.Error(), key) {
		t.Fatalf("stat without a key file: %v (not exist %v, permanent %v)", err, be.IsNotExist(err), be.IsPermanentError(err))
	}
}

func TestKnownAlgorithms(t *testing.T) {
	dir := t.TempDir()
	rsa := testenv.RunTool(t, nil, "", "sh", "-c",
		"ssh-keygen -q -t rsa -b 2048 -N '' -f "+dir+"/rsa && cat "+dir+"/rsa.pub")
	ed := testenv.RunTool(t, nil, "", "sh", "-c",
		"ssh-keygen -q -t ed25519 -N '' -f "+dir+"/ed && cat "+dir+"/ed.pub")
	file := filepath.Join(dir, "known_hosts")
	content := "example.com " + string(rsa) + "[example.com]:2222 " + string(ed) + "other.example " + string(ed)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"example.com:22":   "rsa-sha2-512 rsa-sha2-256 ssh-rsa",
		"example.com:2222": "ssh-ed25519",
		"unknown.net:22":   "",
	} {
		_, algos, err := hostKeyCheck(file, addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(algos, " "); got != want {
			t.Errorf("%s: algorithms %q, want %q", addr, got, want)
		}
	}
}
