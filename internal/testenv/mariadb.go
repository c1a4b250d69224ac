package testenv

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MariaDBUser is the account StartMariaDB creates, with every privilege.
const MariaDBUser = "kbtest"

// mariadbStartTimeout bounds how long StartMariaDB waits for the server to
// accept connections.
const mariadbStartTimeout = time.Minute

// mariadbStopTimeout is how long Stop lets the server shut down after
// SIGTERM before it kills it.
const mariadbStopTimeout = 30 * time.Second

// mariadbLogFileSize makes the redo log 32 MiB instead of 96: a smaller
// data directory, written faster.
const mariadbLogFileSize = "--innodb-log-file-size=32M"

// MariaDB is a throwaway MariaDB server listening on 127.0.0.1, with a data
// directory of its own, removed when the test ends. Its methods are safe for
// concurrent use.
type MariaDB struct {
	port     int
	socket   string
	password string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the server process has exited
	log      *mariadbLog   // the server's last log lines
	stopOnce sync.Once
}

// StartMariaDB initialises a data directory with mariadb-install-db, starts
// mariadbd on a free loopback port, creates the MariaDBUser account with a
// random password and every privilege, and stops the server when the test
// ends. It skips the test (fails it in CI) when the MariaDB binaries are
// missing.
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	mariadbd := Tool(t, "mariadbd")
	installDB := Tool(t, "mariadb-install-db")
	Tool(t, "mariadb")

	base := mariadbDir(t)
	datadir, tmpdir := filepath.Join(base, "data"), filepath.Join(base, "tmp")
	// A private tmpdir: servers sharing /tmp can clash on temporary table
	// names, which hold a process id, across PID namespaces.
	if err := os.Mkdir(tmpdir, 0o700); err != nil {
		t.Fatal(err)
	}

	args := []string{"--no-defaults", "--datadir=" + datadir, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve", "--skip-log-bin", mariadbLogFileSize, "--tmpdir=" + tmpdir}
	RunTool(t, nil, "", installDB, append(args, mariadbUserFlag()...)...)

	m := &MariaDB{socket: filepath.Join(base, "mysqld.sock"), password: mariadbPassword()}
	for attempt := 1; ; attempt++ {
		m.port = freeTCPPort(t)
		err := m.start(t, mariadbd, datadir, tmpdir)
		if err == nil {
			break
		}
		// Another process may have taken the port before mariadbd did.
		if attempt == 3 || !strings.Contains(m.log.String(), "Address already in use") {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { m.Stop(t) })
	m.root(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s';\n"+
		"GRANT ALL PRIVILEGES ON *.* TO '%s'@'%%' WITH GRANT OPTION;\n", MariaDBUser, m.password, MariaDBUser))
	return m
}

// start starts mariadbd and waits until it is ready for connections.
func (m *MariaDB) start(t testing.TB, mariadbd, datadir, tmpdir string) error {
	t.Helper()
	args := append([]string{"--no-defaults", "--datadir=" + datadir, "--tmpdir=" + tmpdir, "--socket=" + m.socket,
		"--port=" + strconv.Itoa(m.port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--pid-file=" + filepath.Join(datadir, "mariadbd.pid"),
		"--innodb-flush-log-at-trx-commit=0", mariadbLogFileSize, "--skip-log-bin", "--character-set-server=utf8mb4",
		"--loose-feedback=OFF"}, mariadbUserFlag()...)
	cmd := exec.Command(mariadbd, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(cmd.SysProcAttr, syscall.SIGKILL)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}
	m.cmd, m.exited, m.log = cmd, make(chan struct{}), &mariadbLog{}
	ready := make(chan struct{})
	go func() {
		m.log.scan(stderr, "ready for connections", ready)
		cmd.Wait() // only once stderr has been read to its end
		close(m.exited)
	}()
	timer := time.NewTimer(mariadbStartTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		return nil
	case <-m.exited:
		return fmt.Errorf("mariadbd exited during startup (%v):\n%s", cmd.ProcessState, m.log)
	case <-timer.C:
		m.kill()
		return fmt.Errorf("mariadbd not ready after %v:\n%s", mariadbStartTimeout, m.log)
	}
}

// mariadbDir creates the directory of one server (data, tmpdir, socket)
// and removes it when the test ends. It is not a t.TempDir: Unix socket
// paths are limited to about 100 bytes, which a test's temporary directory
// may exceed. It lives in /dev/shm when that is a roomy memory file
// system, where InnoDB's synchronous writes cost nothing (initialising a
// data directory there takes a third of the time it takes on a busy
// disk), else in the system's temporary directory.
//
// A test process that dies (a -timeout panic, a kill) cannot remove its
// directories, and in /dev/shm they would hold memory until the next
// boot. So each directory is flock'ed for the life of its test, and
// mariadbDir removes the directories whose lock is free and that are more
// than a minute old (so not just being created).
func mariadbDir(t testing.TB) string {
	t.Helper()
	root := os.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && st.Bavail*uint64(st.Bsize) >= mariadbMinShm &&
		syscall.Access("/dev/shm", 2 /* W_OK */) == nil {
		root = "/dev/shm"
	}
	removeAbandonedMariaDB(root)
	dir, err := os.MkdirTemp(root, "kbmdb-")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := os.Open(dir)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs after Stop, registered later
		os.RemoveAll(dir)
		lock.Close()
	})
	return dir
}

// mariadbMinShm is the free space /dev/shm needs for mariadbDir to use it:
// containers often have a 64 MiB one, too small for a test's data.
const mariadbMinShm = 2 << 30

// removeAbandonedMariaDB removes the server directories under root that
// no test process holds.
func removeAbandonedMariaDB(root string) {
	dirs, _ := filepath.Glob(filepath.Join(root, "kbmdb-*"))
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		f.Close()
	}
}

// mariadbUserFlag lets mariadbd and mariadb-install-db run as root, which
// they refuse without it.
func mariadbUserFlag() []string {
	if os.Geteuid() == 0 {
		return []string{"--user=root"}
	}
	return nil
}

// Addr returns the server's "127.0.0.1:port".
func (m *MariaDB) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.port)) }

// URL returns "mysql://kbtest@127.0.0.1:port/db", without the password.
func (m *MariaDB) URL(db string) string {
	u := url.URL{Scheme: "mysql", User: url.User(MariaDBUser), Host: m.Addr(), Path: "/" + db}
	return u.String()
}

// Password returns the MariaDBUser account's password.
func (m *MariaDB) Password() string { return m.password }

// Env returns the environment that gives the MariaDB clients the
// password: MYSQL_PWD.
func (m *MariaDB) Env() []string { return []string{"MYSQL_PWD=" + m.password} }

// CreateDB creates database name with the utf8mb4 character set.
func (m *MariaDB) CreateDB(t testing.TB, name string) {
	t.Helper()
	m.SQL(t, "", "CREATE DATABASE "+mariadbQuote(name)+" CHARACTER SET utf8mb4")
}

// SQL runs the statements in sql as MariaDBUser in database db ("" for
// none) with the mariadb client in batch mode, and returns its output:
// rows as tab-separated lines without column names. The test fails if a
// statement fails. sql may use the client's DELIMITER command.
func (m *MariaDB) SQL(t testing.TB, db, sql string) string {
	t.Helper()
	args := []string{"--no-defaults", "--protocol=TCP", "--host=127.0.0.1", "--port=" + strconv.Itoa(m.port),
		"--user=" + MariaDBUser, "--batch", "--skip-column-names", "--default-character-set=utf8mb4"}
	if db != "" {
		args = append(args, "--database="+db)
	}
	return m.client(t, m.Env(), args, sql)
}

// root runs sql as the server's root account over the Unix socket.
func (m *MariaDB) root(t testing.TB, sql string) string {
	t.Helper()
	return m.client(t, nil, []string{"--no-defaults", "--socket=" + m.socket, "--user=root", "--batch"}, sql)
}

// client runs the mariadb client with sql on its standard input.
func (m *MariaDB) client(t testing.TB, env, args []string, sql string) string {
	t.Helper()
	cmd := Command(t, env, "", "mariadb", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(sql), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mariadb: %v\n%s\nSQL:\n%s", err, stderr.Bytes(), mariadbTruncate(sql, 2000))
	}
	return stdout.String()
}

// Stop shuts the server down: SIGTERM, which mariadbd handles as a normal
// shutdown, then SIGKILL if it has not exited within 30 seconds. Calling it
// again does nothing; StartMariaDB has it called when the test ends.
func (m *MariaDB) Stop(t testing.TB) {
	t.Helper()
	m.stopOnce.Do(func() {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		timer := time.NewTimer(mariadbStopTimeout)
		defer timer.Stop()
		select {
		case <-m.exited:
		case <-timer.C:
			t.Errorf("mariadbd did not stop within %v; killing it:\n%s", mariadbStopTimeout, m.log)
			m.kill()
		}
	})
}

// kill kills the server and waits for it to exit.
func (m *MariaDB) kill() {
	_ = m.cmd.Process.Kill()
	<-m.exited
}

// mariadbPassword returns 24 random letters and digits.
func mariadbPassword() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// mariadbQuote quotes a MariaDB identifier with backticks.
func mariadbQuote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

func mariadbTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// mariadbLog keeps the last lines of a server's log for failure messages.
type mariadbLog struct {
	mu    sync.Mutex
	lines []string
}

const mariadbLogLines = 40

// scan reads r to its end, keeping its last lines, and closes ready when
// a line contains marker.
func (l *mariadbLog) scan(r io.Reader, marker string, ready chan<- struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		l.mu.Lock()
		l.lines = append(l.lines, line)
		if len(l.lines) > mariadbLogLines {
			l.lines = l.lines[len(l.lines)-mariadbLogLines:]
		}
		l.mu.Unlock()
		if !signalled && strings.Contains(line, marker) {
			signalled = true
			close(ready)
		}
	}
	io.Copy(io.Discard, r) // a line over 1 MiB: keep the pipe drained
}

// String returns the kept lines.
func (l *mariadbLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
