package repo_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// TestPruneResticRepository prunes a repository that restic 0.18.1 wrote
// and forgot a snapshot in, then lets restic check and dump it.
func TestPruneResticRepository(t *testing.T) {
	bin := testenv.Restic(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	src := t.TempDir()
	env := []string{"RESTIC_PASSWORD=" + prunePassword, "RESTIC_REPOSITORY=" + dir}
	run := func(args ...string) []byte {
		t.Helper()
		return testenv.RunTool(t, env, src, bin, append([]string{"--no-cache"}, args...)...)
	}
	run("init")

	shared := pruneRandom(1, 2<<20)
	want := map[string]map[string][]byte{}
	var ids []string
	for i := range 4 {
		// prev.bin keeps the previous snapshot's own.bin in use, so that
		// forgetting a snapshot leaves packs partly used.
		files := map[string][]byte{
			"shared.bin": shared,
			"own.bin":    pruneRandom(uint64(10+i), 3<<20),
			"prev.bin":   pruneRandom(uint64(10+i-1), 3<<20),
			"notes.txt":  bytes.Repeat(fmt.Appendf(nil, "snapshot %d: some compressible text\n", i), 6000),
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sid := pruneResticSnapshotID(t, run("backup", "--json", "--pack-size", "4", "--host", "prune", src))
		ids = append(ids, sid)
		want[sid] = files
	}
	run("forget", ids[1])
	delete(want, ids[1])

	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := pruneOpenBackend(t, be)
	res, err := r.Prune(ctx, repo.PruneOptions{MaxUnused: "0%", PackSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.Removed.Packs == 0 || res.Repacked.Packs == 0 || res.FreedBytes <= 0 {
		t.Fatalf("prune freed too little: %+v", *res)
	}
	pruneCheckAll(t, dir)

	r = pruneOpenBackend(t, be)
	for sid, files := range want {
		id, err := repo.ParseID(sid)
		if err != nil {
			t.Fatal(err)
		}
		sn, err := r.LoadSnapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		dumped := pruneUntar(t, run("dump", "--archive", "tar", sid, src))
		for name, data := range files {
			if got, ok := dumped[name]; !ok || !bytes.Equal(got, data) {
				t.Errorf("restic dump %s %s: %d bytes differ from the %d written", sid[:8], name, len(got), len(data))
			}
			p := filepath.ToSlash(filepath.Join(src, name))
			rc, err := r.OpenFile(ctx, sn, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("our dump %s %s: %d bytes, %v", sid[:8], name, len(got), err)
			}
		}
	}
	// restic finds nothing left to prune.
	out := run("prune", "--dry-run", "--max-unused", "0", "--pack-size", "4")
	t.Logf("restic prune --dry-run:\n%s", out)
	if !bytes.Contains(out, []byte("unused size after prune: 0 B")) {
		t.Errorf("restic still sees unused data")
	}
}

func pruneRandom(seed uint64, n int) []byte {
	out := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'p'}).Read(out)
	return out
}

// pruneResticSnapshotID returns the snapshot ID from restic backup --json.
func pruneResticSnapshotID(t testing.TB, out []byte) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var msg struct {
			Type       string `json:"message_type"`
			SnapshotID string `json:"snapshot_id"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Type == "summary" && msg.SnapshotID != "" {
			return msg.SnapshotID
		}
	}
	t.Fatalf("no snapshot ID in restic backup output:\n%s", out)
	return ""
}

// pruneUntar returns the regular files of a tar archive by base name.
func pruneUntar(t testing.TB, archive []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			out[path.Base(hdr.Name)] = data
		}
	}
}
