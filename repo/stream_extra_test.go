package repo_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

const extraDump = "databases/app/app/postgres.pgdump"

// extraFiles returns an Extra function returning files, counting its calls.
func extraFiles(calls *int, files ...repo.ExtraFile) func(context.Context) ([]repo.ExtraFile, error) {
	return func(context.Context) ([]repo.ExtraFile, error) {
		*calls++
		return files, nil
	}
}

func readSnapFile(t *testing.T, r *repo.Repository, sn *repo.Snapshot, p string) []byte {
	t.Helper()
	rc, err := r.OpenFile(context.Background(), sn, p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return b
}

// Extra files land beside the stream's file, readable by us and by restic,
// while the snapshot's paths still name the stream's file alone.
func TestBackupStreamExtraFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "secret", repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(3<<20, 7)
	manifest := []byte(`{"kind":"row_counts"}` + "\n")
	calls := 0
	sn, err := r.BackupStream(ctx, extraDump, bytes.NewReader(data), repo.SnapshotOptions{
		Extra: extraFiles(&calls, repo.ExtraFile{Name: "postgres.pgdump.rowcounts.json", Data: manifest},
			repo.ExtraFile{Name: "a-empty", Data: nil})})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("Extra called %d times", calls)
	}
	if len(sn.Paths) != 1 || sn.Paths[0] != "/"+extraDump {
		t.Fatalf("paths %v", sn.Paths)
	}
	if sn.Summary.TotalFilesProcessed != 3 || sn.Summary.TotalBytesProcessed != uint64(len(data)+len(manifest)) {
		t.Fatalf("summary %+v", sn.Summary)
	}
	if got := readSnapFile(t, r, sn, extraDump); !bytes.Equal(got, data) {
		t.Fatal("dump differs")
	}
	if got := readSnapFile(t, r, sn, "databases/app/app/postgres.pgdump.rowcounts.json"); !bytes.Equal(got, manifest) {
		t.Fatalf("manifest %q", got)
	}
	if got := readSnapFile(t, r, sn, "databases/app/app/a-empty"); len(got) != 0 {
		t.Fatalf("empty extra file holds %q", got)
	}

	restic := testenv.Restic(t)
	env := []string{"RESTIC_REPOSITORY=" + dir, "RESTIC_PASSWORD=secret"}
	out := testenv.RunTool(t, env, "", restic, "--no-cache", "ls", "--json", sn.ID().String())
	var files []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var n struct {
			Type string `json:"type"`
			Path string `json:"path"`
		}
		if json.Unmarshal(sc.Bytes(), &n) == nil && n.Type == "file" {
			files = append(files, n.Path)
		}
	}
	// The dump's name is a prefix of the manifest's, so it is listed first:
	// the Ruby kamal-backup picks the first file matching the dump's prefix.
	want := "/databases/app/app/a-empty /" + extraDump + " /databases/app/app/postgres.pgdump.rowcounts.json"
	if strings.Join(files, " ") != want {
		t.Fatalf("restic ls files %v, want %s", files, want)
	}
	if got := testenv.RunTool(t, env, "", restic, "--no-cache", "dump", sn.ID().String(), "/"+extraDump); !bytes.Equal(got, data) {
		t.Fatal("restic dump of the stream file differs")
	}
	testenv.RunTool(t, env, "", restic, "--no-cache", "check", "--read-data")
}

// A failing or invalid Extra writes no snapshot; a failing stream never
// calls it.
func TestBackupStreamExtraFailures(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("count rows: boom")
	cases := []struct {
		name  string
		extra func(context.Context) ([]repo.ExtraFile, error)
		want  string
	}{
		{"error", func(context.Context) ([]repo.ExtraFile, error) { return nil, boom }, "count rows: boom"},
		{"same name as the stream", extraFiles(new(int), repo.ExtraFile{Name: "postgres.pgdump"}), "duplicate"},
		{"duplicate", extraFiles(new(int), repo.ExtraFile{Name: "x"}, repo.ExtraFile{Name: "x"}), "duplicate"},
		{"slash", extraFiles(new(int), repo.ExtraFile{Name: "a/b"}), "one path element"},
		{"dotdot", extraFiles(new(int), repo.ExtraFile{Name: ".."}), "one path element"},
	}
	for _, c := range cases {
		r, _ := newRepo(t, 2)
		_, err := r.BackupStream(ctx, extraDump, bytes.NewReader([]byte("dump")), repo.SnapshotOptions{Extra: c.extra})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if c.name == "error" && !errors.Is(err, boom) {
			t.Errorf("error does not wrap Extra's: %v", err)
		}
		if snaps, err := r.Snapshots(ctx, repo.Filter{}); err != nil || len(snaps) != 0 {
			t.Errorf("%s: %d snapshots written (%v)", c.name, len(snaps), err)
		}
	}
	r, _ := newRepo(t, 2)
	calls := 0
	_, err := r.BackupStream(ctx, extraDump, &failingReader{n: 100}, repo.SnapshotOptions{Extra: extraFiles(&calls)})
	var se *repo.SourceError
	if !errors.As(err, &se) || calls != 0 {
		t.Fatalf("failing stream: %v, Extra called %d times", err, calls)
	}
}
