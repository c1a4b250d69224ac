package sftp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// writeKnownHosts writes lines to a new known_hosts file.
func writeKnownHosts(t *testing.T, lines ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// hostKey returns srv's public host key.
func hostKey(t *testing.T, srv *testenv.SSHD) ssh.PublicKey {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(srv.HostKey))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openErr opens a repository on srv with opts and returns the error.
func openErr(t *testing.T, srv *testenv.SSHD, opts sftp.Options) error {
	t.Helper()
	be, err := sftp.Open(context.Background(), config(srv, t.TempDir()), opts)
	if err == nil {
		be.Close()
		return errors.New("no error")
	}
	return err
}

// TestUnknownHost: a host missing from known_hosts (or with no
// known_hosts file at all) is refused, and the message gives the key's
// fingerprint and the command that adds it.
func TestUnknownHost(t *testing.T) {
	srv := testenv.StartSSHD(t)
	fp := ssh.FingerprintSHA256(hostKey(t, srv))
	other := fmt.Sprintf("[127.0.0.1]:%d", srv.Port+1)
	for name, file := range map[string]string{
		"other host": writeKnownHosts(t, other+" "+srv.HostKey),
		"empty":      writeKnownHosts(t),
		"missing":    filepath.Join(t.TempDir(), "known_hosts"),
	} {
		t.Run(name, func(t *testing.T) {
			opts := options(srv)
			opts.KnownHostsFile = file
			err := openErr(t, srv, opts)
			var hk *sftp.HostKeyError
			if !errors.Is(err, sftp.ErrUnknownHost) || !errors.As(err, &hk) {
				t.Fatalf("open: %v, want ErrUnknownHost", err)
			}
			if hk.Fingerprint != fp || hk.KeyType != "ssh-ed25519" || hk.Host != fmt.Sprintf("[127.0.0.1]:%d", srv.Port) {
				t.Errorf("HostKeyError %+v, want fingerprint %s", hk, fp)
			}
			for _, want := range []string{fp, "ssh-keyscan -p " + strconv.Itoa(srv.Port) + " -t ed25519 127.0.0.1 >> " + file} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			t.Log(err)
		})
	}
}

// TestHostKeyMismatch: another key known for the host is a possible
// attack, not an unknown host.
func TestHostKeyMismatch(t *testing.T) {
	srv := testenv.StartSSHD(t)
	otherKey, err := os.ReadFile(testenv.SSHKey(t) + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	opts := options(srv)
	opts.KnownHostsFile = writeKnownHosts(t, fmt.Sprintf("[127.0.0.1]:%d %s", srv.Port, strings.TrimSpace(string(otherKey))))
	err = openErr(t, srv, opts)
	if !errors.Is(err, sftp.ErrHostKeyMismatch) || errors.Is(err, sftp.ErrUnknownHost) {
		t.Fatalf("open: %v, want ErrHostKeyMismatch", err)
	}
	if !strings.Contains(err.Error(), "man-in-the-middle") || !strings.Contains(err.Error(), opts.KnownHostsFile+":1") {
		t.Errorf("message %q does not warn or name the known line", err)
	}
}

// TestHashedKnownHosts: known_hosts files with hashed host names, as
// Debian's ssh writes them, are understood.
func TestHashedKnownHosts(t *testing.T) {
	srv := testenv.StartSSHD(t)
	opts := options(srv)
	name := knownhosts.HashHostname(fmt.Sprintf("[127.0.0.1]:%d", srv.Port))
	opts.KnownHostsFile = writeKnownHosts(t, "# comment", name+" "+srv.HostKey)
	open(t, srv, t.TempDir(), opts)
}
