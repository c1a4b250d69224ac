package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/progress"
)

// finalStatusLines returns the final status lines among the log records
// of stderr.
func finalStatusLines(t *testing.T, stderr string) []progress.StatusLine {
	t.Helper()
	var finals []progress.StatusLine
	for _, line := range strings.Split(stderr, "\n") {
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
	return finals
}

// TestOpsRestoreCheckProgress requires check, restore and drill with
// --progress=json to report their steps as status lines among the log
// records, and to report none without it (standard error not a
// terminal).
func TestOpsRestoreCheckProgress(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	a.mustRun(t, "backup")
	storage := a.path("storage")

	res := a.mustRun(t, "check", "--read-data-subset", "100%", "--progress=json")
	wantContains(t, "check output", res.stdout, "no errors were found")
	finals := finalStatusLines(t, res.stderr)
	if len(finals) != 1 || finals[0].Action != "check" || finals[0].Name != "read data" || finals[0].TotalItems == nil ||
		*finals[0].TotalItems == 0 || finals[0].ItemsDone != *finals[0].TotalItems || finals[0].BytesDone == 0 {
		t.Errorf("check: final status lines %+v\nstderr:\n%s", finals, res.stderr)
	}

	restoreSteps := func(what string, finals []progress.StatusLine, files string) {
		t.Helper()
		if len(finals) != 2 || finals[0].Name != files || finals[1].Name != "database app" {
			t.Fatalf("%s: final status lines %+v", what, finals)
		}
		for _, l := range finals {
			if l.Action != "restore" || l.TotalBytes == nil || l.BytesDone != *l.TotalBytes || l.BytesDone == 0 || l.PercentDone != 1 {
				t.Errorf("%s: final status line %+v", what, l)
			}
		}
		if *finals[0].TotalBytes != int64(len("a file")) {
			t.Errorf("%s: files total %d bytes, want %d", what, *finals[0].TotalBytes, len("a file"))
		}
	}
	res = a.mustRun(t, "restore", "production", "--confirm-production-restore", "--progress=json")
	restoreSteps("restore", finalStatusLines(t, res.stderr), "files "+storage)

	res = a.mustRun(t, "drill", "production", "--yes", "--sqlite-path", a.path("scratch/app.sqlite3"),
		"--files", a.path("scratch/files"), "--progress=json")
	restoreSteps("drill", finalStatusLines(t, res.stderr), "files /")

	for _, args := range [][]string{
		{"check", "--read-data-subset", "100%"},
		{"restore", "production", "--confirm-production-restore"},
		{"drill", "production", "--yes", "--sqlite-path", a.path("scratch/app.sqlite3"), "--files", a.path("scratch/files")},
	} {
		if res := a.mustRun(t, append(args, "--progress=none")...); strings.Contains(res.stderr, `"message_type":"status"`) {
			t.Errorf("%v --progress=none printed status lines:\n%s", args, res.stderr)
		}
	}
}
