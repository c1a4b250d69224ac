package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// statusLines decodes stderr, which must hold only JSON status lines,
// and returns them; the last must be final.
func statusLines(t *testing.T, what, stderr string) []progress.StatusLine {
	t.Helper()
	var lines []progress.StatusLine
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var l progress.StatusLine
		if err := dec.Decode(&l); err != nil || l.MessageType != "status" || l.Kind != "progress" {
			t.Fatalf("%s: stderr line %q is not a status line (%v)", what, sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 || !lines[len(lines)-1].Final {
		t.Fatalf("%s: no final status line on stderr:\n%s", what, stderr)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i].BytesDone < lines[i-1].BytesDone {
			t.Errorf("%s: bytes_done went back: %+v", what, lines)
		}
	}
	return lines
}

var savedLine = regexp.MustCompile(`^snapshot [0-9a-f]{8} saved\n$`)

func TestProgressJSONLines(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "progress-pw")
	data := randomData(7, 3<<20)

	res := mustRun(t, env, data, "repo", "backup", "--stdin", "--stdin-filename", "db.sql", "--progress=json")
	if !savedLine.MatchString(res.stdout) {
		t.Errorf("stdout changed by progress: %q", res.stdout)
	}
	last := statusLines(t, "backup", res.stderr)
	if l := last[len(last)-1]; l.Action != "backup" || l.Name != "db.sql" || l.BytesDone != int64(len(data)) ||
		l.PercentDone != 1 || l.TotalBytes != nil {
		t.Errorf("backup's final line: %+v", l)
	}

	// With --json the result stays alone on stdout.
	res = mustRun(t, env, data, "repo", "backup", "--stdin", "--stdin-filename", "db.sql", "--json", "--progress=json")
	var summary struct {
		MessageType string `json:"message_type"`
		SnapshotID  string `json:"snapshot_id"`
	}
	decodeJSON(t, res.stdout, &summary)
	if summary.MessageType != "summary" || summary.SnapshotID == "" || strings.Count(res.stdout, "\n") != 1 {
		t.Errorf("--json stdout: %q", res.stdout)
	}
	statusLines(t, "backup --json", res.stderr)

	res = mustRun(t, env, "", "repo", "dump", "--progress=json", "latest", "/db.sql")
	if res.stdout != data {
		t.Errorf("dump wrote %d bytes, want %d", len(res.stdout), len(data))
	}
	last = statusLines(t, "dump", res.stderr)
	if l := last[len(last)-1]; l.Action != "dump" || l.Name != "/db.sql" || l.TotalBytes == nil ||
		*l.TotalBytes != int64(len(data)) || l.BytesDone != *l.TotalBytes || l.PercentDone != 1 {
		t.Errorf("dump's final line: %+v", l)
	}

	target := t.TempDir()
	res = mustRun(t, env, "", "repo", "restore", "latest", "--target", target, "--progress=json")
	last = statusLines(t, "restore", res.stderr)
	if l := last[len(last)-1]; l.Action != "restore" || l.TotalBytes == nil || *l.TotalBytes != int64(len(data)) ||
		l.BytesDone != *l.TotalBytes || l.PercentDone != 1 {
		t.Errorf("restore's final line: %+v", l)
	}
	if got, err := os.ReadFile(filepath.Join(target, "db.sql")); err != nil || string(got) != data {
		t.Errorf("restored file: %d bytes, %v", len(got), err)
	}

	// The environment variable asks for the same; check counts packs.
	env["KAMAL_BACKUP_PROGRESS"] = "json"
	res = mustRun(t, env, "", "repo", "check", "--read-data")
	wantContains(t, "check stdout", res.stdout, "read all data", "no errors were found")
	last = statusLines(t, "check", res.stderr)
	if l := last[len(last)-1]; l.Action != "check" || l.Name != "read data" || l.TotalItems == nil ||
		*l.TotalItems == 0 || l.ItemsDone != *l.TotalItems || l.BytesDone == 0 || l.PercentDone != 1 {
		t.Errorf("check's final line: %+v", l)
	}
}

func TestProgressWithoutTerminal(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "progress-off-pw")
	data := randomData(8, 1<<20)
	// stderr is not a terminal: auto writes status lines there (and
	// --json too), never on stdout.
	for _, args := range [][]string{
		{"repo", "backup", "--stdin"},
		{"repo", "backup", "--stdin", "--json"},
	} {
		res := mustRun(t, env, data, args...)
		if last := statusLines(t, "backup", res.stderr); !last[len(last)-1].Final {
			t.Errorf("%v: no final status line on stderr:\n%s", args, res.stderr)
		}
		if strings.Contains(res.stdout, `"message_type":"status"`) {
			t.Errorf("%v: status line on stdout:\n%s", args, res.stdout)
		}
	}
	// --quiet and none silence it.
	for _, args := range [][]string{
		{"repo", "backup", "--stdin", "--quiet"},
		{"repo", "backup", "--stdin", "--progress=none"},
		{"repo", "dump", "latest", "/stdin", "--quiet"},
		{"repo", "check", "--read-data", "--json", "-q"},
	} {
		res := mustRun(t, env, data, args...)
		if res.stderr != "" {
			t.Errorf("%v printed on stderr:\n%s", args, res.stderr)
		}
	}
	env["KAMAL_BACKUP_PROGRESS"] = "json"
	res := mustRun(t, env, data, "repo", "backup", "--stdin", "--progress=none")
	if res.stderr != "" {
		t.Errorf("--progress=none should win over KAMAL_BACKUP_PROGRESS:\n%s", res.stderr)
	}
	if res := runCLI(t, env, data, "repo", "backup", "--stdin", "--progress=bars"); res.code != exitError {
		t.Errorf("--progress=bars: exit %d", res.code)
	}
}

// TestProgressBarOnTerminal runs repo dump as a child process whose
// standard error is a terminal (script(1) provides one) and requires the
// bar there, the data alone on standard output.
func TestProgressBarOnTerminal(t *testing.T) {
	t.Parallel()
	script := testenv.Tool(t, "script") // util-linux; fails under CI=true when missing
	env, r := newRepo(t, "progress-tty-pw")
	data := randomData(9, 2<<20)
	backupStream(t, r, "app.pgdump", data, snapshotOpts("web1"))
	out := filepath.Join(t.TempDir(), "out")
	shq := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	cmd := exec.Command(script, "-qec", shq(os.Args[0])+" repo dump latest /app.pgdump > "+shq(out), "/dev/null")
	cmd.Env = []string{"KAMAL_BACKUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"RESTIC_REPOSITORY=" + env["RESTIC_REPOSITORY"], "RESTIC_PASSWORD=" + env["RESTIC_PASSWORD"]}
	tty, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, tty)
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != data {
		t.Fatalf("dump under a terminal wrote %d bytes to stdout (%v), want %d", len(got), err, len(data))
	}
	wantContains(t, "the terminal", string(tty), "dump /app.pgdump", "100%", "2.0/2.0 MiB")
	if strings.Contains(string(tty), `"message_type"`) {
		t.Errorf("JSON on the terminal:\n%q", tty)
	}
}

// TestOpsBackupProgress requires "backup --progress=json" to report each
// source, database then files, as status lines among the log records,
// and a plain "backup" (standard error not a terminal) to report none.
func TestOpsBackupProgress(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	res := a.mustRun(t, "backup", "--progress=json")
	wantContains(t, "backup output", res.stdout, "Backup finished")
	var finals []progress.StatusLine
	for _, line := range strings.Split(res.stderr, "\n") {
		if !strings.Contains(line, `"message_type":"status"`) {
			continue
		}
		var l progress.StatusLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("status line %q: %v", line, err)
		}
		if l.Final {
			finals = append(finals, l)
		}
	}
	if len(finals) != 2 || finals[0].Name != "database app" || finals[1].Name != "files" ||
		finals[0].Action != "backup" || finals[0].BytesDone == 0 || finals[1].BytesDone != int64(len("a file")) {
		t.Fatalf("final status lines %+v\nstderr:\n%s", finals, res.stderr)
	}
	res = a.mustRun(t, "backup", "--force", "--quiet")
	if strings.Contains(res.stderr, `"message_type":"status"`) {
		t.Errorf("backup --quiet printed status lines:\n%s", res.stderr)
	}
}
