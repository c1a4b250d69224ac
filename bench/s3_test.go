package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// s3Env returns the environment both tools use for the repository at
// loc on srv, with a cache of their own.
func s3Env(b *testing.B, srv *testenv.S3Server, loc string) []string {
	b.Helper()
	return append(srv.Env(), "RESTIC_REPOSITORY="+loc, "RESTIC_PASSWORD=bench-password",
		"RESTIC_CACHE_DIR="+filepath.Join(b.TempDir(), "cache"))
}

// s3ServerDir returns the directory the S3 server stores objects in: a
// new directory in /dev/shm when that memory file system has room for
// need bytes, so that the server's disk writes, which a remote S3 service
// would not make on this machine, do not weigh on the comparison;
// otherwise a temporary directory. It is removed when the benchmark ends.
func s3ServerDir(b *testing.B, need int64) string {
	b.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil || int64(st.Bavail)*st.Bsize < need {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp("/dev/shm", "kamal-backup-bench-s3-")
	if err != nil {
		return b.TempDir()
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// BenchmarkBackupStreamS3 backs up a 1 GiB (BENCH_MIB) incompressible
// stream to one versitygw S3 server (posix backend, loopback), by
// kamal-backup and by restic 0.18.1 into separate prefixes of one
// bucket, and compares them. Repository sizes are the object files in
// the server's directory.
func BenchmarkBackupStreamS3(b *testing.B) {
	ours, restic := tools(b)
	n := benchSize()
	in := filepath.Join(b.TempDir(), "random.bin")
	randomFile(b, in, n, 1)
	srv := testenv.StartS3With(b, testenv.S3Options{Dir: s3ServerDir(b, 3*n)})
	run := 0
	for b.Loop() {
		run++
		bucket := fmt.Sprintf("bench-%d", run)
		srv.CreateBucket(b, bucket)
		ourEnv, resticEnv := s3Env(b, srv, srv.Location(bucket, "ours")), s3Env(b, srv, srv.Location(bucket, "restic"))
		runMeasured(b, ourEnv, "", nil, ours, "repo", "init")
		runMeasured(b, resticEnv, "", nil, restic, "init")
		p := pair{Name: "backup stream to S3, incompressible", Bytes: n}
		p.Ours = runMeasured(b, ourEnv, in, nil, ours, "repo", "backup", "--stdin", "--stdin-filename", "dump.sql")
		p.Restc = runMeasured(b, resticEnv, in, nil, restic, "backup", "--stdin", "--stdin-filename", "dump.sql", "-q")
		p.OurSize = dirSize(b, filepath.Join(srv.Dir, bucket, "ours"))
		p.ResticSize = dirSize(b, filepath.Join(srv.Dir, bucket, "restic"))
		p.report(b)
		if err := os.RemoveAll(filepath.Join(srv.Dir, bucket)); err != nil {
			b.Fatal(err)
		}
	}
}
