package main

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// scheduleTimeout bounds every wait on a schedule process.
const scheduleTimeout = 30 * time.Second

// scheduleProc is "kamal-backup schedule" running as a child process.
type scheduleProc struct {
	cmd  *exec.Cmd
	done chan error
	msgs chan string // the msg of each log line, in order

	mu    sync.Mutex
	lines []string // every line of standard error
}

// startSchedule starts "kamal-backup schedule" in the app; it is killed
// when the test ends if still running.
func startSchedule(t *testing.T, a *opsApp, extra ...string) *scheduleProc {
	t.Helper()
	cmd := a.command(extra, "schedule")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &scheduleProc{cmd: cmd, done: make(chan error, 1), msgs: make(chan string, 1024)}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		defer close(s.msgs)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.lines = append(s.lines, line)
			s.mu.Unlock()
			var rec struct {
				Msg string `json:"msg"`
			}
			_ = json.Unmarshal([]byte(line), &rec)
			s.msgs <- rec.Msg
		}
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	return s
}

// waitFor returns once a log line's message contains msg.
func (s *scheduleProc) waitFor(t *testing.T, msg string) {
	t.Helper()
	timeout := time.After(scheduleTimeout)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				t.Fatalf("schedule exited before logging %q:\n%s", msg, s.log())
			}
			if strings.Contains(m, msg) {
				return
			}
		case <-timeout:
			t.Fatalf("schedule did not log %q in %v:\n%s", msg, scheduleTimeout, s.log())
		}
	}
}

// stop sends SIGTERM and requires a clean exit (status 0) whose every log
// line is JSON.
func (s *scheduleProc) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("schedule after SIGTERM: %v\n%s", err, s.log())
		}
	case <-time.After(scheduleTimeout):
		t.Fatalf("schedule still running %v after SIGTERM:\n%s", scheduleTimeout, s.log())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("schedule logged a line that is not JSON: %q", l)
		}
	}
	if !strings.Contains(strings.Join(s.lines, "\n"), "schedule stopped") {
		t.Errorf("schedule did not log that it stopped:\n%s", strings.Join(s.lines, "\n"))
	}
}

// log returns the standard error read so far.
func (s *scheduleProc) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// TestOpsScheduleStopsOnSIGTERM runs the schedule with a one-second
// interval, lets it back up twice, sends SIGTERM as the third backup
// starts, and requires a clean exit 0, JSON logs, and a repository that
// restic checks clean whose every snapshot restores.
func TestOpsScheduleStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, strings.NewReplacer("schedule: 1d", "schedule: 1s"))
	s := startSchedule(t, a)
	s.waitFor(t, "schedule started")
	for range 2 {
		s.waitFor(t, "backup started")
		s.waitFor(t, "backup finished")
	}
	s.waitFor(t, "backup started")
	s.stop(t)

	a.restic(t, "check", "--read-data")
	dbs, files := a.snapshots(t, "type:database"), a.snapshots(t, "type:files")
	if len(dbs) < 2 || len(files) < 2 {
		t.Fatalf("%d database and %d file snapshots, want at least 2 each\n%s", len(dbs), len(files), s.log())
	}
	for _, sn := range dbs {
		dump := a.restic(t, "dump", sn.ID, "/databases/notes/app/sqlite.sqlite3")
		if !strings.HasPrefix(string(dump), "SQLite format 3\x00") {
			t.Errorf("snapshot %s does not restore the database", sn.ID)
		}
	}
	for _, sn := range files {
		if got := string(a.restic(t, "dump", sn.ID, a.path("storage/a.txt"))); got != "a file" {
			t.Errorf("snapshot %s restores a.txt as %q", sn.ID, got)
		}
	}
	// The third run was abandoned (recorded as failed, so that the next
	// start backs up at once) or had just finished.
	var rec kbackup.BackupRecord
	a.record(t, kbackup.LastBackupRecord, &rec)
	if rec.Status != kbackup.StatusFailed && rec.Status != kbackup.StatusOK {
		t.Errorf("last_backup.json after SIGTERM: %+v", rec)
	}
}
