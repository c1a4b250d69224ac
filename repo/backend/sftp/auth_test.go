package sftp_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// TestWrongKey: a key the server does not accept is an authentication
// error that shows no key material.
func TestWrongKey(t *testing.T) {
	srv := testenv.StartSSHD(t)
	opts := options(srv)
	opts.KeyFile = testenv.SSHKey(t)
	err := openErr(t, srv, opts)
	if !errors.Is(err, sftp.ErrAuth) {
		t.Fatalf("open with a wrong key: %v, want ErrAuth", err)
	}
	if !strings.Contains(err.Error(), srv.User) {
		t.Errorf("message %q does not name the user", err)
	}
	private, _ := os.ReadFile(opts.KeyFile)
	public, _ := os.ReadFile(opts.KeyFile + ".pub")
	for _, secret := range append(bytes.Split(private, []byte("\n")), bytes.Fields(public)[1]) {
		if len(secret) > 8 && strings.Contains(err.Error(), string(secret)) {
			t.Errorf("message %q shows key material", err)
		}
	}
	t.Log(err)
}

// TestNoKey: without a key file, default keys or an agent, nothing is
// offered.
func TestNoKey(t *testing.T) {
	srv := testenv.StartSSHD(t)
	opts := sftp.Options{KnownHostsFile: srv.KnownHosts, Home: t.TempDir()}
	if err := openErr(t, srv, opts); !errors.Is(err, sftp.ErrNoKey) {
		t.Fatalf("open without keys: %v, want ErrNoKey", err)
	}
	opts.Agent = filepath.Join(t.TempDir(), "no-agent.sock")
	if err := openErr(t, srv, opts); !errors.Is(err, sftp.ErrNoKey) || !strings.Contains(err.Error(), "ssh-agent") {
		t.Fatalf("open with an unreachable agent: %v, want ErrNoKey naming the agent", err)
	}
}

// TestEncryptedKey: a key file with a passphrase is refused with advice,
// unless an agent is there to hold the key.
func TestEncryptedKey(t *testing.T) {
	srv := testenv.StartSSHD(t)
	key := filepath.Join(t.TempDir(), "id_ed25519")
	testenv.RunTool(t, nil, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "sekrit-passphrase", "-f", key)
	opts := options(srv)
	opts.KeyFile = key
	err := openErr(t, srv, opts)
	if err == nil || !strings.Contains(err.Error(), "passphrase") || !strings.Contains(err.Error(), "ssh-agent") ||
		strings.Contains(err.Error(), "sekrit") {
		t.Fatalf("open with an encrypted key: %v", err)
	}
}

// TestAgent logs in with a key held by an ssh-agent only.
func TestAgent(t *testing.T) {
	srv := testenv.StartSSHD(t)
	sock := startAgent(t, srv.KeyFile)
	be := open(t, srv, t.TempDir(), sftp.Options{Agent: sock, KnownHostsFile: srv.KnownHosts, Home: t.TempDir()})
	if err := be.Create(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultFiles: with a zero Options but Home, the key and known_hosts
// come from Home/.ssh, as ssh's do.
func TestDefaultFiles(t *testing.T) {
	srv := testenv.StartSSHD(t)
	home := t.TempDir()
	copyTo(t, srv.KeyFile, filepath.Join(home, ".ssh", "id_ed25519"))
	copyTo(t, srv.KnownHosts, filepath.Join(home, ".ssh", "known_hosts"))
	open(t, srv, t.TempDir(), sftp.Options{Home: home})
}

// startAgent serves an in-memory ssh-agent holding the private key in
// keyFile on a Unix socket and returns the socket's path.
func startAgent(t *testing.T, keyFile string) string {
	t.Helper()
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ssh.ParseRawPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: *raw.(*ed25519.PrivateKey)}); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = agent.ServeAgent(keyring, c)
			}()
		}
	}()
	return sock
}

// copyTo copies the file src to dst, creating dst's directory.
func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
