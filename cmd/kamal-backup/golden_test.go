package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// resticRunner runs the pinned restic 0.18.1 against one repository. It
// inherits the test's environment (TZ included, so that both programs
// print local times alike) apart from the repository variables.
type resticRunner struct {
	bin string
	env []string
	cwd string
}

func newRestic(t *testing.T, repoDir, password, cwd string) *resticRunner {
	t.Helper()
	return &resticRunner{bin: testenv.Restic(t), cwd: cwd,
		env: []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=" + password, "RESTIC_HOST=",
			"RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_REPOSITORY_FILE="}}
}

func (r *resticRunner) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := testenv.Command(t, r.env, r.cwd, r.bin, append([]string{"--no-cache", "-q"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// compareWithRestic runs the same command through restic and through
// kamal-backup and requires byte-identical standard output.
func compareWithRestic(t *testing.T, rr *resticRunner, env map[string]string, args ...string) {
	t.Helper()
	want := rr.run(t, "", args...)
	got := mustRun(t, env, "", append([]string{"repo"}, args...)...).stdout
	if diff := cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("%s: output differs from restic's (-restic +ours):\n%s", strings.Join(args, " "), diff)
	}
}

// TestJSONMatchesRestic builds a repository with real restic and checks
// that snapshots --json, ls --json, ls, cat and key list print exactly what
// restic 0.18.1 prints.
func TestJSONMatchesRestic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repoDir := filepath.Join(dir, "repo")
	rr := newRestic(t, repoDir, "golden-pw", dir)
	src := filepath.Join(dir, "src")
	writeTree(t, src)

	rr.run(t, "", "init")
	cheapKey(t, repoDir, "golden-pw")
	rr.run(t, "", "backup", "--tag", "t1,t2", "--host", "h1", "src")
	rr.run(t, "SELECT 1;\n", "backup", "--stdin", "--stdin-filename", "dir/db.sql", "--host", "h2")
	rr.run(t, "", "backup", "--host", "h1", "--exclude", "*.tmp", "src/sub")
	ids := snapshotIDs(t, rr)
	indexes := strings.Fields(rr.run(t, "", "list", "index"))
	env := map[string]string{"RESTIC_REPOSITORY": repoDir, "RESTIC_PASSWORD": "golden-pw"}

	for _, args := range [][]string{
		{"snapshots", "--json"},
		{"snapshots", "--json", "--host", "h1"},
		{"snapshots", "--json", "--tag", "t2,t1"},
		{"snapshots", "--json", "--tag", "nope"},
		{"snapshots", "--json", "--latest", "1"},
		{"snapshots", "--json", "--path", src},
		{"ls", "--json", "latest"},
		{"ls", "--json", ids[0]},
		{"ls", "--json", ids[0][:7], "/src"},
		{"ls", "--json", ids[0], "/src/sub", "/src/a.txt"},
		{"ls", "--json", "--recursive", ids[0], "/src"},
		{"ls", "--json", "--host", "h1", "latest"},
		{"ls", "--json", ids[0] + ":src/sub"},
		{"ls", ids[0]},
		{"ls", ids[0], "/"},
		{"ls", ids[1] + ":dir"},
		{"cat", "config"},
		{"cat", "snapshot", ids[1]},
		{"cat", "index", indexes[0]},
		{"key", "list", "--json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			compareWithRestic(t, rr, env, args...)
		})
	}
}

// TestLsJSONEdgeCasesMatchRestic lists a tree of unusual nodes written by
// the library (mode 0, an empty file, a device, a name that is not UTF-8,
// HTML characters, zero times) and a snapshot using every optional field.
func TestLsJSONEdgeCasesMatchRestic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	repoDir := filepath.Join(dir, "repo")
	be, err := local.Open(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "edge-pw", repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.NewWriter(ctx, repo.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("", 3600))
	tr := &tree.Tree{}
	for _, n := range []*tree.Node{
		{Name: "empty", Type: tree.TypeFile, Content: []repo.ID{}, ModTime: tm},
		{Name: "modezero", Type: tree.TypeFile, Size: 3, Content: []repo.ID{}},
		{Name: "named\xff<&>", Type: tree.TypeFile, Mode: 0o600, User: "u", Group: "g", UID: 5, GID: 6, Inode: 7, Links: 2, DeviceID: 9},
		{Name: "dev", Type: tree.TypeCharDev, Mode: os.ModeDevice | os.ModeCharDevice | 0o600, Device: 1234},
		{Name: "pipe", Type: tree.TypeFifo, Mode: os.ModeNamedPipe | 0o644, ModTime: tm, AccessTime: tm, ChangeTime: tm},
	} {
		if err := tr.Insert(n); err != nil {
			t.Fatal(err)
		}
	}
	data, err := tree.Encode(tr)
	if err != nil {
		t.Fatal(err)
	}
	tid, _, err := w.SaveBlob(ctx, repo.TreeBlob, data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sn := &repo.Snapshot{Time: tm, Tree: &tid, Paths: []string{"/x", "/a"}, Excludes: []string{"*.tmp"},
		Parent: &tid, Original: &tid, UID: 1, GID: 2, Tags: []string{"z", "<b>"}, ProgramVersion: "test"}
	if _, err := r.SaveSnapshot(ctx, sn); err != nil {
		t.Fatal(err)
	}
	rr := newRestic(t, repoDir, "edge-pw", dir)
	env := map[string]string{"RESTIC_REPOSITORY": repoDir, "RESTIC_PASSWORD": "edge-pw"}
	compareWithRestic(t, rr, env, "snapshots", "--json")
	compareWithRestic(t, rr, env, "ls", "--json", "latest")
	compareWithRestic(t, rr, env, "cat", "snapshot", sn.ID().String())
}

// TestResticReadsOurBackup checks that restic lists and dumps a stdin
// backup made by the CLI.
func TestResticReadsOurBackup(t *testing.T) {
	t.Parallel()
	env, _ := newRepo(t, "interop-pw")
	data := dumpData(1 << 20)
	res := mustRun(t, env, data, "repo", "backup", "--stdin", "--stdin-filename", "db/app.sql", "--tag", "app")
	id := strings.Fields(res.stdout)[1]
	rr := newRestic(t, env["RESTIC_REPOSITORY"], "interop-pw", t.TempDir())
	if got := rr.run(t, "", "dump", id, "/db/app.sql"); got != data {
		t.Fatalf("restic dump: %d bytes, want %d", len(got), len(data))
	}
	compareWithRestic(t, rr, env, "snapshots", "--json")
}

// writeTree makes a small source tree: files, an empty file, a symlink,
// a fifo and a subdirectory.
func writeTree(t *testing.T, dir string) {
	t.Helper()
	for name, content := range map[string]string{"a.txt": "hello\n", "empty": "", "sub/b": "x\n", "sub/c.tmp": "tmp"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshotIDs returns the IDs of restic's snapshots, oldest first.
func snapshotIDs(t *testing.T, rr *resticRunner) []string {
	t.Helper()
	var snaps []struct {
		ID string `json:"id"`
	}
	decodeJSON(t, rr.run(t, "", "snapshots", "--json"), &snaps)
	ids := make([]string, len(snaps))
	for i, s := range snaps {
		ids[i] = s.ID
	}
	return ids
}
