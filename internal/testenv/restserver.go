package testenv

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// restServerStartTimeout bounds how long StartRESTServer waits for the
// server to accept connections.
const restServerStartTimeout = 30 * time.Second

// restServerStopTimeout is how long the cleanup lets the server exit after
// SIGTERM before it kills it.
const restServerStopTimeout = 5 * time.Second

// RESTServerOpts choose how StartRESTServer runs rest-server. The zero value
// is a server with authentication, accepting deletes, where any user may use
// any repository path.
type RESTServerOpts struct {
	// AppendOnly passes --append-only: the server refuses to delete or
	// overwrite anything but lock files.
	AppendOnly bool
	// NoAuth passes --no-auth: no user name or password is needed.
	NoAuth bool
	// PrivateRepos passes --private-repos: a user may only use
	// repositories below /<user name>/; see RESTServer.RepoURL.
	PrivateRepos bool
	// Dir is the data directory (--path); "" means a new temporary
	// directory. Two servers may share one, for example an append-only
	// server and an ordinary one.
	Dir string
}

// RESTServer is a throwaway rest-server listening on 127.0.0.1.
type RESTServer struct {
	// URL is the server's root URL, "http://127.0.0.1:<port>/", without
	// credentials.
	URL string
	// Username and Password are the one account of the server's htpasswd
	// file; both are empty when the server runs with NoAuth.
	Username, Password string
	// Dir is the server's data directory.
	Dir string

	private bool
}

// StartRESTServer runs the pinned rest-server on a free loopback port with
// the options in opts, waits until it accepts connections and stops it when
// the test ends. Unless opts.NoAuth is set, the server has one account with
// a random user name and password, kept in an htpasswd file outside the
// data directory. It skips the test (fails it in CI) when rest-server is
// missing.
func StartRESTServer(t testing.TB, opts RESTServerOpts) *RESTServer {
	t.Helper()
	bin := Tool(t, "rest-server")
	s := &RESTServer{Dir: opts.Dir, private: opts.PrivateRepos}
	if s.Dir == "" {
		s.Dir = t.TempDir()
	}
	args := []string{"--path", s.Dir}
	if opts.AppendOnly {
		args = append(args, "--append-only")
	}
	if opts.PrivateRepos {
		args = append(args, "--private-repos")
	}
	if opts.NoAuth {
		args = append(args, "--no-auth")
	} else {
		s.Username, s.Password = "kb-"+randomToken(8), randomToken(24)
		htpasswd := filepath.Join(t.TempDir(), "htpasswd")
		if err := writeHtpasswd(htpasswd, s.Username, s.Password); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--htpasswd-file", htpasswd)
	}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		proc, err := startRESTServer(bin, append(args, "--listen", addr), addr)
		if err == nil {
			t.Cleanup(func() { proc.stop(t) })
			s.URL = "http://" + addr + "/"
			return s
		}
		// Another process may have taken the port first.
		if attempt == 3 {
			t.Fatal(err)
		}
	}
}

// RepoURL returns the URL of the repository called name on the server,
// ending in "/" and without credentials. With PrivateRepos it lies below
// /<user name>/, where the server lets the account write.
func (s *RESTServer) RepoURL(name string) string {
	u := s.URL
	if s.private {
		u += url.PathEscape(s.Username) + "/"
	}
	if name != "" {
		u += url.PathEscape(name) + "/"
	}
	return u
}

// Location returns "rest:" + RepoURL(name), a repository location without
// credentials (give them in RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD).
func (s *RESTServer) Location(name string) string { return "rest:" + s.RepoURL(name) }

// LocationWithCredentials returns the location of the repository called
// name with the account's user name and password in the URL, as restic
// accepts it on its command line.
func (s *RESTServer) LocationWithCredentials(name string) string {
	u, err := url.Parse(s.RepoURL(name))
	if err != nil {
		panic(err) // RepoURL always parses
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, s.Password)
	}
	return "rest:" + u.String()
}

// Env returns RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD for the
// server's account, or nothing when it runs without authentication.
func (s *RESTServer) Env() []string {
	if s.Username == "" {
		return nil
	}
	return []string{"RESTIC_REST_USERNAME=" + s.Username, "RESTIC_REST_PASSWORD=" + s.Password}
}

// writeHtpasswd writes an htpasswd file holding user with a bcrypt hash of
// password. The lowest bcrypt cost keeps the server fast: it checks the
// password on every request.
func writeHtpasswd(path, user, password string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(user+":"+string(hash)+"\n"), 0o600)
}

// randomToken returns n random lowercase letters and digits.
func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// restServerProc is a running rest-server process.
type restServerProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	out    *tailBuffer
	once   sync.Once
}

// startRESTServer starts bin with args and waits until addr accepts
// connections or the process exits.
func startRESTServer(bin string, args []string, addr string) (*restServerProc, error) {
	p := &restServerProc{cmd: exec.Command(bin, args...), exited: make(chan struct{}), out: &tailBuffer{max: 8 << 10}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(p.cmd.SysProcAttr, syscall.SIGKILL) // any server: die with the test process
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start rest-server: %w", err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(restServerStartTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("rest-server exited during startup (%v):\n%s", p.cmd.ProcessState, p.out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.kill()
			return nil, fmt.Errorf("rest-server not listening on %s after %v:\n%s", addr, restServerStartTimeout, p.out)
		}
	}
}

// stop sends SIGTERM and waits, killing the server if it does not exit in
// time. rest-server's graceful shutdown waits for every request in flight,
// which a test may hold open on purpose (a fault-injecting proxy), so a
// slow stop is logged, not a failure.
func (p *restServerProc) stop(t testing.TB) {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(restServerStopTimeout):
			t.Logf("rest-server did not stop within %v; killing it", restServerStopTimeout)
			p.kill()
		}
	})
}

func (p *restServerProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(bytes.TrimSpace(b.buf))
}
