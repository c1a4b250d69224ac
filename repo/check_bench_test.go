package repo

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkCheckReadData checks, reading all data, a local repository
// holding a 256 MiB stream of random data. Set KAMAL_BACKUP_CHECK_BENCH_DIR
// to keep the repository there, for example to time restic check
// --read-data on the same repository.
func BenchmarkCheckReadData(b *testing.B) {
	dir := os.Getenv("KAMAL_BACKUP_CHECK_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	be := checkLocal(b, dir)
	r, err := Init(b.Context(), be, checkPassword, InitOptions{KDF: KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		b.Fatal(err)
	}
	const size = 256 << 20
	if _, err := r.BackupStream(b.Context(), "db.sql", bytes.NewReader(checkRandom(size, 1)), SnapshotOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		res, err := checkOpen(b, dir).Check(b.Context(), CheckOptions{ReadData: true})
		if err != nil || !res.OK() {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
