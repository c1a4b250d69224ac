package testenv

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
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

// PostgresUser is the superuser of the servers StartPostgres starts.
const PostgresUser = "kbtest"

// postgresConf tunes a throwaway server for speed: its data may be lost.
const postgresConf = `
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
shared_buffers = 16MB
max_connections = 30
`

// Postgres is a throwaway PostgreSQL server listening on 127.0.0.1 and on
// a Unix socket in its temporary directory, with password (scram-sha-256)
// authentication for the superuser PostgresUser. Its methods are safe for
// concurrent use.
type Postgres struct {
	binDir   string
	dir      string // holds data/, the socket and postgres.log
	port     int
	password string
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the server process has exited
	stopOnce sync.Once
}

// StartPostgres initialises a cluster in a temporary directory, starts it
// on a free port, waits until it accepts connections and stops it when the
// test ends. As root, the server runs as the "postgres" system user. The
// server also dies with the test process (a parent-death signal), so a
// test binary that times out leaves none behind. Missing binaries skip
// the test, or fail it in CI, as Tool does.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	begin := time.Now()
	// Debian links initdb into PATH; the other tools are next to its target.
	initdb, err := defaultFinder().find("initdb")
	if err == nil {
		initdb, err = filepath.EvalSymlinks(initdb)
	}
	if err != nil {
		postgresMissing(t, "initdb", err)
	}
	p := &Postgres{binDir: filepath.Dir(initdb), password: rand.Text()}
	for _, name := range []string{"postgres", "psql"} {
		if _, err := executable(filepath.Join(p.binDir, name)); err != nil {
			postgresMissing(t, name+" (next to initdb)", err)
		}
	}
	cred := postgresCredential(t)
	p.dir = postgresDir(t, cred)
	p.initdb(t, cred)
	for attempt := 1; ; attempt++ {
		p.port = freeTCPPort(t)
		err := p.start(cred)
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { p.Stop(t) })
	t.Logf("testenv: postgres (%s) on 127.0.0.1:%d ready in %v", p.binDir, p.port, time.Since(begin).Round(time.Millisecond))
	return p
}

// URL returns the URL of database dbname, without the password.
func (p *Postgres) URL(dbname string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s", PostgresUser, p.port, url.PathEscape(dbname))
}

// Password returns the superuser's password.
func (p *Postgres) Password() string { return p.password }

// Env returns the environment that gives client tools the password.
func (p *Postgres) Env() []string { return []string{"PGPASSWORD=" + p.password} }

// Port returns the TCP port the server listens on.
func (p *Postgres) Port() int { return p.port }

// BinDir returns the directory of the server's binaries (and psql).
func (p *Postgres) BinDir() string { return p.binDir }

// CreateDB creates the database name.
func (p *Postgres) CreateDB(t testing.TB, name string) {
	t.Helper()
	p.Psql(t, "postgres", `CREATE DATABASE "`+strings.ReplaceAll(name, `"`, `""`)+`"`)
}

// Psql runs the SQL script sql in database db with psql (unaligned, tuples
// only, stopping at the first error) and returns its output with
// surrounding white space trimmed. It fails the test if psql fails.
func (p *Postgres) Psql(t testing.TB, db, sql string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(p.binDir, "psql"), "-X", "-q", "-A", "-t",
		"-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", PostgresUser, "-d", db, "-f", "-")
	cmd.Env = append(postgresEnv(), p.Env()...)
	cmd.Stdin = strings.NewReader(sql)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql %s: %v\n%s", db, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Stop stops the server at once, as "pg_ctl stop -m immediate" does
// (SIGQUIT), and waits for it to exit; it simulates a server going away.
// It may be called from any goroutine and more than once; failures are
// reported with t.Errorf.
func (p *Postgres) Stop(t testing.TB) {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
			t.Errorf("testenv: postgres did not stop within 30s of SIGQUIT; killed it\n%s", p.log())
		}
	})
}

// initdb creates the cluster in p.dir/data with the superuser's password
// taken from a file, and appends postgresConf to its configuration.
func (p *Postgres) initdb(t testing.TB, cred *syscall.Credential) {
	t.Helper()
	pwfile := filepath.Join(p.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(p.password), 0o600); err != nil {
		t.Fatal(err)
	}
	chown(t, pwfile, cred)
	cmd := exec.CommandContext(t.Context(), filepath.Join(p.binDir, "initdb"), "-D", filepath.Join(p.dir, "data"),
		"-U", PostgresUser, "--pwfile="+pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
	cmd.Env, cmd.Dir = postgresEnv(), p.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}
	if err := os.Remove(pwfile); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(p.dir, "data", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(postgresConf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// start starts the server on p.port and waits until it is ready: until
// postmaster.pid says so, as pg_ctl -w checks.
func (p *Postgres) start(cred *syscall.Credential) error {
	logf, err := os.OpenFile(filepath.Join(p.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(p.binDir, "postgres"), "-D", filepath.Join(p.dir, "data"),
		"-p", strconv.Itoa(p.port), "-k", p.dir, "-c", "listen_addresses=127.0.0.1")
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = postgresEnv(), p.dir, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	setParentDeathSignal(cmd.SysProcAttr, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testenv: start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-exited:
			return fmt.Errorf("testenv: postgres exited during startup:\n%s", p.log())
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("testenv: postgres not ready after 60s:\n%s", p.log())
		case <-tick.C:
			if p.ready() {
				p.cmd, p.exited = cmd, exited
				return nil
			}
		}
	}
}

// ready reports whether postmaster.pid's status line (the eighth) is "ready".
func (p *Postgres) ready() bool {
	b, err := os.ReadFile(filepath.Join(p.dir, "data", "postmaster.pid"))
	lines := strings.Split(string(b), "\n")
	return err == nil && len(lines) > 7 && strings.TrimSpace(lines[7]) == "ready"
}

func (p *Postgres) log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
	return string(b)
}

// postgresCredential returns the credential of the postgres system user
// when running as root, which initdb and postgres refuse to run as, and nil
// otherwise.
func postgresCredential(t testing.TB) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		postgresMissing(t, `the "postgres" system user (to run the server as root)`, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// postgresDir returns a new temporary directory that the server's user
// owns and can reach. The test's own temporary root is made traversable
// (not readable) by others; directories above it must already be.
func postgresDir(t testing.TB, cred *syscall.Credential) string {
	t.Helper()
	dir := t.TempDir()
	if len(dir)+len("/.s.PGSQL.65535") > 107 {
		t.Fatalf("testenv: %s is too long for a Unix socket path; set TMPDIR to a shorter directory", dir)
	}
	if cred == nil {
		return dir
	}
	if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(filepath.Dir(dir)); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			t.Fatalf("testenv: the postgres user cannot reach %s (%v): set TMPDIR to a directory it can traverse, such as /var/tmp", dir, err)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	chown(t, dir, cred)
	return dir
}

func chown(t testing.TB, path string, cred *syscall.Credential) {
	t.Helper()
	if cred == nil {
		return
	}
	if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
		t.Fatal(err)
	}
}

// postgresEnv is the test process's environment without PG* variables,
// which would redirect the tools, and in the C locale.
func postgresEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

// postgresMissing skips the test, or fails it in CI, for a missing prerequisite.
func postgresMissing(t testing.TB, what string, err error) {
	t.Helper()
	msg := fmt.Sprintf("testenv: %s not found: %v; install the PostgreSQL server (Debian: apt-get install postgresql)", what, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (missing in CI: scripts/test installs it)")
	}
	t.Skip(msg)
}
