package archiver_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/archiver"
)

// byteProgress is a repo.Progress counting bytes, starts and ends.
type byteProgress struct {
	mu           sync.Mutex
	starts, done int
	total        int64
	bytes        atomic.Int64
}

func (p *byteProgress) Start(total int64) { p.mu.Lock(); p.starts++; p.total = total; p.mu.Unlock() }
func (p *byteProgress) Add(n int64)       { p.bytes.Add(n) }
func (p *byteProgress) Done()             { p.mu.Lock(); p.done++; p.mu.Unlock() }

func TestBackupProgressCountsBytes(t *testing.T) {
	src := t.TempDir()
	big := make([]byte, 3<<20+17) // chunked
	rand.Read(big)
	check(t, os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644))
	check(t, os.WriteFile(filepath.Join(src, "small.txt"), []byte("hello\n"), 0o644))
	check(t, os.Mkdir(filepath.Join(src, "empty"), 0o755))
	want := int64(len(big) + 6)
	r := newRepo(t, filepath.Join(t.TempDir(), "repo"))
	for i, run := range []string{"first (read)", "second (unchanged)"} {
		p := &byteProgress{}
		_, res := backup(t, r, []string{src}, archiver.Options{Snapshot: repo.SnapshotOptions{Host: "h", Progress: p}})
		if wantRead := uint(2 * (1 - i)); res.FilesRead != wantRead {
			t.Fatalf("%s backup read %d files, want %d", run, res.FilesRead, wantRead)
		}
		if p.starts != 1 || p.done != 1 || p.total != -1 || p.bytes.Load() != want {
			t.Errorf("%s backup: %d starts (total %d), %d done, %d bytes, want %d", run, p.starts, p.total, p.done, p.bytes.Load(), want)
		}
	}
}
