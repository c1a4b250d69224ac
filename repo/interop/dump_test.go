package interop

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// dumpFiles are the fixture files whose content is compared.
var dumpFiles = []string{bigFile, sparseFile, helloFile, hardLink, emptyFile, unicodeFile,
	"names/all\t\"\\<&>.txt", "files/suid-bin"}

// TestDump checks that OpenFile returns byte for byte what restic dump
// returns, and what was backed up, for a sample of files including the
// 21 MiB one, the sparse one and the --stdin database dump.
func TestDump(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		type file struct {
			sid, path string
			want      [32]byte
		}
		files := []file{{rr.stdinSnap, "/" + stdinName, rr.fix.SQLSum}}
		for _, rel := range dumpFiles {
			files = append(files, file{rr.dirSnap, rr.fix.Dir + "/" + rel, rr.fix.Sums[rel]})
		}
		for _, f := range files {
			restic, rn := rr.dumpSum(t, f.sid, f.path)
			ours, on := ourSum(t, rr.r, f.sid, f.path)
			if restic != f.want || ours != f.want {
				t.Errorf("%s: sha256 restic %x (%d bytes), ours %x (%d bytes), backed up %x", f.path, restic[:4], rn, ours[:4], on, f.want[:4])
			}
		}
	})
}

// dumpSum returns the SHA-256 and length of restic dump's output.
func (rr *resticRepo) dumpSum(t testing.TB, sid, p string) ([32]byte, int64) {
	t.Helper()
	cmd := rr.command(t, nil, "dump", sid, p)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, out)
	if werr := cmd.Wait(); err != nil || werr != nil {
		t.Fatalf("restic dump %s %q: %v, %v\n%s", sid[:8], p, err, werr, stderr.Bytes())
	}
	return [32]byte(h.Sum(nil)), n
}

// ourSum returns the SHA-256 and length of OpenFile's content.
func ourSum(t testing.TB, r *repo.Repository, sid, p string) ([32]byte, int64) {
	t.Helper()
	sn, err := r.FindSnapshot(t.Context(), sid, repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenFile(t.Context(), sn, p)
	if err != nil {
		t.Fatalf("OpenFile %q: %v", p, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("read %q: %v", p, err)
	}
	return [32]byte(h.Sum(nil)), n
}
