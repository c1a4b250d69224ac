//go:build linux

package restorer_test

import (
	"bytes"
	"context"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// TestRestoreSparse restores a large file made mostly of zero blobs, both
// of the size restic's chunker gives zero runs (512 KiB) and of other
// sizes, and checks that the zeros became holes.
func TestRestoreSparse(t *testing.T) {
	b := newBuilder(t)
	head, tail := randomData(4096, 1), randomData(1000, 2)
	mid := append(append(make([]byte, 10000), randomData(100, 3)...), make([]byte, 70000)...)
	chunks := [][]byte{head}
	for range 30 {
		chunks = append(chunks, make([]byte, 512<<10))
	}
	chunks = append(chunks, mid, make([]byte, 1<<20+123), make([]byte, 1<<20+123), tail)
	sn := b.snapshot(b.file("sparse", 0o644, chunks...), b.file("zeros", 0o644, make([]byte, 3<<20)))
	target := t.TempDir()
	if _, err := restorer.Restore(context.Background(), b.r, sn, target, restorer.Options{}); err != nil {
		t.Fatal(err)
	}
	want := bytes.Join(chunks, nil)
	checkContent(t, target, "sparse", want)
	checkContent(t, target, "zeros", make([]byte, 3<<20))
	for name, size := range map[string]int{"sparse": len(want), "zeros": 3 << 20} {
		st := lstat(t, target, name).Sys().(*syscall.Stat_t)
		if st.Size != int64(size) {
			t.Errorf("%s: size %d, want %d", name, st.Size, size)
		}
		if used := st.Blocks * 512; used > 256<<10 {
			t.Errorf("%s: %d bytes allocated for %d bytes of mostly zeros; want a sparse file", name, used, size)
		}
	}
}
