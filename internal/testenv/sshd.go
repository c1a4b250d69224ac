package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sshdStartTimeout bounds how long StartSSHD waits for the server to greet.
const sshdStartTimeout = 30 * time.Second

// sshdStopTimeout is how long the cleanup lets sshd exit after SIGTERM.
const sshdStopTimeout = 5 * time.Second

// sshdPrivsepDir is the empty directory OpenSSH's sshd, started as root,
// chroots its unprivileged child into. Its path is compiled into Debian's
// sshd; the init script creates it at boot, which a container never runs.
const sshdPrivsepDir = "/run/sshd"

// SSHD is a throwaway OpenSSH server listening on 127.0.0.1 that accepts
// one user key and serves SFTP with sshd's internal-sftp. It logs in as
// the user running the test (root in CI, allowed with a key only).
type SSHD struct {
	// Host is "127.0.0.1".
	Host string
	// Port is the port the server listens on.
	Port int
	// User is the account to log in as: the user running the test.
	User string
	// KeyFile is the private key the server accepts (ed25519, no
	// passphrase); KeyFile+".pub" is its public half.
	KeyFile string
	// KnownHosts is a known_hosts file holding the server's host key
	// under "[127.0.0.1]:<port>".
	KnownHosts string
	// HostKey is the server's public host key in authorized_keys format
	// ("ssh-ed25519 AAAA... comment").
	HostKey string
}

// StartSSHD runs OpenSSH's sshd in the foreground (-D -e) on a free
// loopback port with a host key and a user key made for this test by
// ssh-keygen, waits until it greets, and stops it when the test ends.
// Only public key authentication is enabled and StrictModes is off, so the
// keys may live in the test's temporary directories. It skips the test
// (fails it in CI) when sshd or ssh-keygen is missing.
//
// Run as root, sshd needs /run/sshd; StartSSHD creates it if missing.
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	bin := Tool(t, "sshd")
	u, err := user.Current()
	if err != nil {
		t.Fatalf("sshd: current user: %v", err)
	}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(sshdPrivsepDir, 0o755); err != nil {
			t.Fatalf("sshd: %v", err)
		}
	}
	dir := t.TempDir()
	hostKey := SSHKey(t)
	s := &SSHD{Host: "127.0.0.1", User: u.Username, KeyFile: SSHKey(t),
		KnownHosts: filepath.Join(dir, "known_hosts")}
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	s.HostKey = strings.TrimSpace(string(pub))
	authorized := filepath.Join(dir, "authorized_keys")
	if err := copyFile(s.KeyFile+".pub", authorized); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		s.Port, err = freePort()
		if err != nil {
			t.Fatal(err)
		}
		config := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(config, []byte(sshdConfig(s.Port, hostKey, authorized)), 0o600); err != nil {
			t.Fatal(err)
		}
		var proc *sshdProc
		proc, err = startSSHD(bin, config, s.addr())
		if err == nil {
			t.Cleanup(func() { proc.stop(t) })
			break
		}
		// Another process may have taken the port first.
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatal(err)
		}
	}
	line := fmt.Sprintf("[%s]:%d %s\n", s.Host, s.Port, s.HostKey)
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// SSHKey makes a new ed25519 key pair without a passphrase with
// ssh-keygen in a temporary directory and returns the private key's path;
// the public key is next to it with ".pub" appended.
func SSHKey(t testing.TB) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), "id_ed25519")
	RunTool(t, nil, "", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kamal-backup-test", "-f", key)
	return key
}

// Location returns the restic location of the repository in dir on the
// server, "sftp://<user>@127.0.0.1:<port>//<dir>". dir must be absolute.
func (s *SSHD) Location(dir string) string {
	if !filepath.IsAbs(dir) {
		panic("testenv: SSHD.Location needs an absolute path, got " + dir)
	}
	return fmt.Sprintf("sftp://%s@%s/%s", s.User, s.addr(), filepath.ToSlash(dir))
}

// SSHCommand returns the ssh command line that opens an SFTP session on
// the server with the test's key and known_hosts file only, ignoring the
// user's ssh configuration, agent and keys, and never asking anything.
func (s *SSHD) SSHCommand(t testing.TB) []string {
	t.Helper()
	return []string{Tool(t, "ssh"), "-F", "/dev/null", "-p", strconv.Itoa(s.Port), "-l", s.User,
		"-i", s.KeyFile, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + s.KnownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null", s.Host, "-s", "sftp"}
}

// ResticArgs returns the restic options that make restic reach the server
// through SSHCommand: {"-o", "sftp.command=ssh ..."}. Pass them with a
// location from Location.
func (s *SSHD) ResticArgs(t testing.TB) []string {
	t.Helper()
	return []string{"-o", "sftp.command=" + strings.Join(s.SSHCommand(t), " ")}
}

func (s *SSHD) addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// sshdConfig returns a configuration for a server on 127.0.0.1:port that
// accepts only the keys in authorized and serves SFTP in-process.
func sshdConfig(port int, hostKey, authorized string) string {
	return strings.Join([]string{
		"ListenAddress 127.0.0.1:" + strconv.Itoa(port),
		"HostKey " + hostKey,
		"PidFile none",
		"AuthorizedKeysFile " + authorized,
		"AuthenticationMethods publickey",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"StrictModes no",
		"UsePAM no",
		"UseDNS no",
		"X11Forwarding no",
		"AllowTcpForwarding no",
		"PrintMotd no",
		"MaxStartups 64",
		"MaxSessions 64",
		"Subsystem sftp internal-sftp",
		"LogLevel INFO",
		"",
	}, "\n")
}

// copyFile copies the file src to dst with mode 0600.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}

// sshdProc is a running sshd.
type sshdProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    *tailBuffer
	once   sync.Once
}

// startSSHD starts sshd with config and waits until it greets on addr or
// exits.
func startSSHD(bin, config, addr string) (*sshdProc, error) {
	p := &sshdProc{cmd: exec.Command(bin, "-D", "-e", "-f", config), exited: make(chan struct{}),
		out: &tailBuffer{max: 8 << 10}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(p.cmd.SysProcAttr, syscall.SIGKILL) // die with the test process
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start sshd: %w", err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(sshdStartTimeout)
	for {
		if sshdGreets(addr) {
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("sshd exited during startup (%v):\n%s", p.cmd.ProcessState, p.out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.kill()
			return nil, fmt.Errorf("sshd not greeting on %s after %v:\n%s", addr, sshdStartTimeout, p.out)
		}
	}
}

// sshdGreets reports whether an SSH server answers on addr with its
// version banner.
func sshdGreets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-2.0-")
}

// stop sends SIGTERM and waits, killing sshd if it does not exit in time.
// Sessions still open keep their own processes until their clients
// disconnect.
func (p *sshdProc) stop(t testing.TB) {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(sshdStopTimeout):
			t.Errorf("sshd did not stop within %v; killing it:\n%s", sshdStopTimeout, p.out)
			p.kill()
		}
	})
}

func (p *sshdProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}
