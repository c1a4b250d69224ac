package testenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStartSSHD uploads a file with OpenSSH's sftp client through the
// server, once with the accepted key and once with another key, which the
// server must refuse.
func TestStartSSHD(t *testing.T) {
	s := StartSSHD(t)
	dir := t.TempDir()
	if want := fmt.Sprintf("sftp://%s@127.0.0.1:%d/%s", s.User, s.Port, dir); s.Location(dir) != want {
		t.Errorf("Location = %q, want %q", s.Location(dir), want)
	}
	if kh, err := os.ReadFile(s.KnownHosts); err != nil ||
		string(kh) != fmt.Sprintf("[127.0.0.1]:%d %s\n", s.Port, s.HostKey) {
		t.Errorf("known_hosts = %q, %v", kh, err)
	}
	args := s.ResticArgs(t)
	if len(args) != 2 || args[0] != "-o" || !strings.HasPrefix(args[1], "sftp.command=") ||
		!strings.Contains(args[1], "-p "+strconv.Itoa(s.Port)+" ") || !strings.Contains(args[1], s.KeyFile) {
		t.Errorf("ResticArgs = %q", args)
	}

	src := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(src, []byte("hello over sftp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	batch := fmt.Sprintf("mkdir %s/sub\nput %s %s/sub/hello.txt\n", dir, src, dir)
	if out, err := s.sftp(t, s.KeyFile, batch); err != nil {
		t.Fatalf("sftp with the accepted key: %v\n%s", err, out)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "sub", "hello.txt")); err != nil || string(got) != "hello over sftp\n" {
		t.Errorf("uploaded file: %q, %v", got, err)
	}

	out, err := s.sftp(t, SSHKey(t), "ls\n")
	if err == nil || !strings.Contains(out, "Permission denied") {
		t.Errorf("sftp with an unknown key: err %v, output:\n%s", err, out)
	}
}

// sftp runs OpenSSH's sftp client in batch mode with key and returns its
// combined output.
func (s *SSHD) sftp(t *testing.T, key, batch string) (string, error) {
	t.Helper()
	cmd := Command(t, nil, "", "sftp", "-b", "-", "-F", "/dev/null", "-P", strconv.Itoa(s.Port), "-i", key,
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+s.KnownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", s.User+"@"+s.Host)
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(batch), &out, &out
	err := cmd.Run()
	return out.String(), err
}
