//go:build linux

package archiver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// TestResticInterop checks Backup against restic 0.18.1 on one directory:
// restic backing up the same directory into our repository writes the same
// root tree, both tools count the same summary, a second backup reads
// nothing, restic 0.18.1 and 0.14 check our repository and restic restores
// our snapshot exactly.
func TestResticInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("runs restic")
	}
	restic := testenv.Restic(t)
	base := quietTempDir(t)
	src, ours, theirs := filepath.Join(base, "src"), filepath.Join(base, "ours"), filepath.Join(base, "theirs")
	restoreDir := filepath.Join(base, "restore")
	makeFixture(t, src)
	r := newRepo(t, ours)

	// The root tree holds the metadata of src's ancestors, which other
	// processes may change (/tmp's mtime): retry until a pair of backups
	// saw the same ancestors.
	var sn *repo.Snapshot
	var res archiver.Result
	for attempt := 0; ; attempt++ {
		before := ancestors(t, src)
		sn, res = backup(t, r, []string{src}, archiver.Options{})
		resticCmd(t, restic, ours, "backup", src)
		if after := ancestors(t, src); after != before && attempt < 10 {
			t.Logf("ancestors of %s changed during attempt %d, retrying:\n%s\n%s", src, attempt, before, after)
			continue
		}
		if got := resticSnapshot(t, restic, ours)["tree"]; got != sn.Tree.String() {
			t.Fatalf("root tree: ours %s, restic %s", sn.Tree, got)
		}
		break
	}
	if res.Incomplete() {
		t.Fatalf("errors: %v", res.Errors)
	}

	// The same summary as restic's first backup into an empty repository
	// with the same chunker polynomial (times and packed size aside).
	freshDir := filepath.Join(base, "fresh")
	fresh := newRepo(t, freshDir)
	resticCmd(t, restic, theirs, "init", "--from-repo", freshDir, "--copy-chunker-params",
		"--from-password-command", "echo "+password)
	_, first := backup(t, fresh, []string{src}, archiver.Options{})
	resticCmd(t, restic, theirs, "backup", src)
	compareSummary(t, first.Summary, resticSnapshot(t, restic, theirs)["summary"])
	// And the same for a second backup with a parent.
	_, second := backup(t, fresh, []string{src}, archiver.Options{})
	resticCmd(t, restic, theirs, "backup", src)
	compareSummary(t, second.Summary, resticSnapshot(t, restic, theirs)["summary"])

	// A second backup reuses restic's snapshot as parent and reads nothing.
	_, res2 := backup(t, r, []string{src}, archiver.Options{})
	if res2.Summary.DataBlobs != 0 || res2.FilesRead != 0 || res2.Parent == nil {
		t.Errorf("second backup: %d data blobs, %d files read, parent %v", res2.Summary.DataBlobs, res2.FilesRead, res2.Parent)
	}

	resticCmd(t, restic, ours, "check", "--read-data")
	resticCmd(t, testenv.Restic014(t), ours, "check", "--read-data")

	resticCmd(t, restic, ours, "restore", sn.ID().String(), "--target", restoreDir)
	compareDirs(t, src, filepath.Join(restoreDir, src))
	val := make([]byte, 16)
	if n, err := syscall.Getxattr(filepath.Join(restoreDir, src, "a.txt"), "user.test", val); err != nil || string(val[:n]) != "value" {
		t.Errorf("restored xattr user.test = %q, %v", val[:n], err)
	}
}

// quietTempDir returns a new temporary directory whose ancestors few other
// processes touch: the root tree records their times, and /tmp changes
// whenever any test creates a directory there.
func quietTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "kamal-archiver-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// ancestors describes the times of the parent directories of p.
func ancestors(t testing.TB, p string) string {
	var b bytes.Buffer
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		st := lstat(t, d)
		fmt.Fprintf(&b, "%s %v %v\n", d, st.Mtim, st.Ctim)
		if d == "/" {
			return b.String()
		}
	}
}

func lstat(t testing.TB, p string) syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	check(t, syscall.Lstat(p, &st))
	return st
}

// compareSummary compares our summary with restic's JSON summary.
func compareSummary(t testing.TB, got repo.SnapshotSummary, want any) {
	t.Helper()
	js, err := json.Marshal(want)
	check(t, err)
	var w repo.SnapshotSummary
	check(t, json.Unmarshal(js, &w))
	got.BackupStart, got.BackupEnd = w.BackupStart, w.BackupEnd
	got.DataAddedPacked, w.DataAddedPacked = 0, 0
	if got != w {
		t.Errorf("summary:\nours   %+v\nrestic %+v", got, w)
	}
}

// compareDirs checks that the restored directory got holds every entry of
// want (sockets aside, as restic skips them) with the same type, mode,
// modification time, content, link target and xattr user.test.
func compareDirs(t testing.TB, want, got string) {
	t.Helper()
	check(t, filepath.WalkDir(want, func(p string, d os.DirEntry, err error) error {
		check(t, err)
		rel, _ := filepath.Rel(want, p)
		if d.Type()&os.ModeSocket != 0 {
			return nil
		}
		g := filepath.Join(got, rel)
		sw, sg := lstat(t, p), lstat(t, g)
		if sw.Mode != sg.Mode || sw.Size != sg.Size || sw.Rdev != sg.Rdev || sw.Uid != sg.Uid || (sw.Mtim != sg.Mtim && !d.IsDir()) {
			t.Errorf("%q restored with mode %o size %d mtime %v uid %d, want %o %d %v %d", rel, sg.Mode, sg.Size, sg.Mtim, sg.Uid, sw.Mode, sw.Size, sw.Mtim, sw.Uid)
		}
		switch {
		case d.Type().IsRegular():
			a, err1 := os.ReadFile(p)
			b, err2 := os.ReadFile(g)
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				t.Errorf("%q: restored content differs (%v, %v)", rel, err1, err2)
			}
		case d.Type()&os.ModeSymlink != 0:
			a, _ := os.Readlink(p)
			b, _ := os.Readlink(g)
			if a != b {
				t.Errorf("%q: restored link target %q, want %q", rel, b, a)
			}
		}
		return nil
	}))
}
