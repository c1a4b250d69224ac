package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// lockOracle is a restic binary and the exit code its check returns when
// the repository is locked.
type lockOracle struct {
	name       string
	bin        func(testing.TB) string
	lockedCode int
}

var lockOracles = []lockOracle{
	{"restic-0.18", testenv.Restic, 11},
	{"restic-0.14", testenv.Restic014, 1},
}

// resticLockRepo initialises a repository with restic and opens it.
func resticLockRepo(t *testing.T, bin string) (*Repository, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	env := []string{"RESTIC_REPOSITORY=" + dir, "RESTIC_PASSWORD=pw", "RESTIC_CACHE_DIR=" + t.TempDir()}
	testenv.RunTool(t, env, "", bin, "init", "-q")
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(t.Context(), be, "pw", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r, env
}

// startResticBackup starts "restic backup --stdin" and returns once its
// lock file exists. restic holds the lock until stdin is closed.
func startResticBackup(t *testing.T, r *Repository, env []string, bin string) (*exec.Cmd, io.WriteCloser, *bytes.Buffer, LockInfo) {
	t.Helper()
	cmd := testenv.Command(t, env, "", bin, "backup", "-q", "--stdin", "--stdin-filename", "db.sql")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		infos, err := r.Locks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) == 1 && infos[0].Err == nil {
			return cmd, stdin, &stderr, infos[0]
		}
	}
	t.Fatalf("restic created no lock file; stderr:\n%s", stderr.Bytes())
	return nil, nil, nil, LockInfo{}
}

func TestLockInteropResticHolds(t *testing.T) {
	host, _ := os.Hostname()
	for _, o := range lockOracles {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			bin := o.bin(t)
			r, env := resticLockRepo(t, bin)
			cmd, stdin, stderr, held := startResticBackup(t, r, env, bin)
			if held.PID != cmd.Process.Pid || held.Hostname != host || held.Exclusive || held.Stale {
				t.Errorf("restic's lock %+v, want PID %d on %s, shared, not stale", held, cmd.Process.Pid, host)
			}

			// Our encoding of restic's lock reproduces its bytes: same
			// field order, same omissions.
			js, err := r.loadEncrypted(t.Context(), backend.Handle{Type: backend.LockFile, Name: held.ID}, maxLockSize)
			if err != nil {
				t.Fatal(err)
			}
			lf, err := r.loadLock(t.Context(), held.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ours, _ := json.Marshal(lf); !bytes.Equal(ours, js) {
				t.Errorf("lock JSON\nrestic %s\nours   %s", js, ours)
			}

			_, _, err = r.Lock(t.Context(), true)
			var le *LockedError
			if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.PID != cmd.Process.Pid || le.ID != held.ID {
				t.Fatalf("exclusive lock next to restic backup: %v; want ErrLocked naming PID %d", err, cmd.Process.Pid)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("repository is already locked by PID %d on %s", cmd.Process.Pid, host)) {
				t.Errorf("message %q", err)
			}
			shared, _, err := r.Lock(t.Context(), false)
			if err != nil {
				t.Fatalf("shared lock next to restic backup: %v", err)
			}
			if err := shared.Unlock(); err != nil {
				t.Fatal(err)
			}

			io.WriteString(stdin, "INSERT INTO t VALUES (1);\n")
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("restic backup: %v\n%s", err, stderr.Bytes())
			}
			if infos, err := r.Locks(t.Context()); err != nil || len(infos) != 0 {
				t.Errorf("locks after restic exited: %+v, %v", infos, err)
			}
		})
	}
}

func TestLockInteropResticBlocked(t *testing.T) {
	for _, o := range lockOracles {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			bin := o.bin(t)
			r, env := resticLockRepo(t, bin)

			// Our shared lock lets restic back up.
			l, _, err := r.Lock(t.Context(), false)
			if err != nil {
				t.Fatal(err)
			}
			cmd := testenv.Command(t, env, "", bin, "backup", "-q", "--stdin", "--stdin-filename", "db.sql")
			cmd.Stdin = strings.NewReader("data\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("restic backup next to our shared lock: %v\n%s", err, out)
			}
			if err := l.Unlock(); err != nil {
				t.Fatal(err)
			}

			// Our exclusive lock stops restic check.
			l, _, err = r.Lock(t.Context(), true)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Unlock()
			cmd = testenv.Command(t, env, "", bin, "check")
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != o.lockedCode {
				t.Fatalf("restic check next to our exclusive lock: %v, want exit code %d\n%s", err, o.lockedCode, out)
			}
			host, _ := os.Hostname()
			want := fmt.Sprintf("repository is already locked exclusively by PID %d on %s", os.Getpid(), host)
			if !strings.Contains(string(out), want) || !strings.Contains(string(out), "storage ID "+l.ID()[:8]) {
				t.Errorf("restic check output lacks %q and our lock ID:\n%s", want, out)
			}
		})
	}
}

func TestLockInteropStale(t *testing.T) {
	for _, o := range lockOracles {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			bin := o.bin(t)
			r, env := resticLockRepo(t, bin)

			// restic unlock removes our (shared) lock of a dead process and keeps
			// the live one. It probes the live one by sending SIGHUP to its PID,
			// our test process, which restic itself ignores; so must we.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			le := r.defaultLockEnv()
			le.pid = deadPID(t)
			dead, err := r.saveLock(t.Context(), le.newLockFile(false))
			if err != nil {
				t.Fatal(err)
			}
			l, _, err := r.Lock(t.Context(), false)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Unlock()
			testenv.RunTool(t, env, "", bin, "unlock", "-q")
			select { // the signal may arrive after restic has exited
			case <-hup:
			case <-time.After(10 * time.Second):
				t.Errorf("restic unlock did not probe our process with SIGHUP")
			}
			infos, err := r.Locks(t.Context())
			if err != nil || len(infos) != 1 || infos[0].ID != l.ID() {
				t.Fatalf("after restic unlock: %+v, %v; want only %s, not %s", infos, err, l.ID(), dead)
			}
			if err := l.Unlock(); err != nil {
				t.Fatal(err)
			}

			// We remove the lock of a killed restic.
			cmd, _, _, held := startResticBackup(t, r, env, bin)
			cmd.Process.Kill()
			cmd.Wait()
			n, err := r.Unlock(t.Context(), false)
			if err != nil || n != 1 {
				t.Fatalf("unlock after restic was killed: %d, %v; want its lock %s removed", n, err, held.ID)
			}
		})
	}
}
