package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

const testPassword = "s3-test-password"

// fastKDF keeps key derivation cheap in tests; restic reads such keys.
var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// randomBytes returns n reproducible random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// openLocation opens loc with srv's credentials as location.Open does
// for "s3:" locations (which TestOpenS3 in package location checks).
func openLocation(t testing.TB, srv *testenv.S3Server, loc string) backend.Backend {
	t.Helper()
	cfg, err := s3.ParseLocation(loc, lookupEnv(srv))
	if err != nil {
		t.Fatal(err)
	}
	return openBackend(t, cfg, s3.Options{CreateBucket: true})
}

// initAndBackup creates a repository at loc and backs data up as name.
func initAndBackup(t testing.TB, srv *testenv.S3Server, loc, name string, data []byte) *repo.Snapshot {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Init(ctx, openLocation(t, srv, loc), testPassword, repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.BackupStream(ctx, name, bytes.NewReader(data), repo.SnapshotOptions{Host: "s3-test"})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// readBack opens the repository at loc afresh and returns it and the
// content of name in its only snapshot.
func readBack(t testing.TB, srv *testenv.S3Server, loc, name string) (*repo.Repository, []byte) {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Open(ctx, openLocation(t, srv, loc), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots of %s: %d, %v; want 1", loc, len(snaps), err)
	}
	rc, err := r.OpenFile(ctx, snaps[0], name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return r, got
}

// TestRoundTrip backs up a 20 MiB stream to a bucket that does not exist
// yet (Init creates it, as restic init does) and reads it back through a
// new connection.
func TestRoundTrip(t *testing.T) {
	srv := testenv.StartS3(t)
	loc := srv.Location(newBucketName("roundtrip"), "apps/app/db")
	data := randomBytes(20<<20, 1)
	initAndBackup(t, srv, loc, "databases/app/app.pgdump", data)
	if _, got := readBack(t, srv, loc, "databases/app/app.pgdump"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}
}

// resticCmd returns a restic 0.18.1 command on the repository at loc,
// with srv's credentials and no cache.
func resticCmd(t testing.TB, srv *testenv.S3Server, loc string, args ...string) *exec.Cmd {
	t.Helper()
	env := append(srv.Env(), "RESTIC_REPOSITORY="+loc, "RESTIC_PASSWORD="+testPassword,
		"RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_CACHE_DIR=", "AWS_PROFILE=", "AWS_SESSION_TOKEN=")
	return testenv.Command(t, env, t.TempDir(), testenv.Restic(t), append([]string{"--no-cache", "--quiet"}, args...)...)
}

// runRestic runs restic with stdin (may be nil) and returns its output.
func runRestic(t testing.TB, srv *testenv.S3Server, loc string, stdin io.Reader, args ...string) []byte {
	t.Helper()
	cmd := resticCmd(t, srv, loc, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestResticReadsOurs: restic 0.18.1 lists, dumps and fully checks a
// repository we wrote to the bucket.
func TestResticReadsOurs(t *testing.T) {
	srv := testenv.StartS3(t)
	loc := srv.Location(newBucketName("ours"), "kamal/app")
	data := randomBytes(20<<20, 2)
	sn := initAndBackup(t, srv, loc, "db/app.sql", data)

	out := runRestic(t, srv, loc, nil, "snapshots", "--json")
	if !bytes.Contains(out, []byte(sn.ID().String())) {
		t.Fatalf("restic snapshots does not list %s:\n%s", sn.ID(), out)
	}
	dump := runRestic(t, srv, loc, nil, "dump", "latest", "/db/app.sql")
	if sha256.Sum256(dump) != sha256.Sum256(data) {
		t.Fatalf("restic dump: %d bytes differing from the %d backed up", len(dump), len(data))
	}
	runRestic(t, srv, loc, nil, "check", "--read-data")
}

// TestWeReadRestic: a repository restic 0.18.1 wrote to the bucket reads
// back byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("restic")
	srv.CreateBucket(t, bucket)
	loc := srv.Location(bucket, "restic/app")
	data := randomBytes(20<<20, 3)
	runRestic(t, srv, loc, nil, "init")
	runRestic(t, srv, loc, bytes.NewReader(data), "backup", "--stdin", "--stdin-filename", "app.sql", "--host", "restic-host")
	r, got := readBack(t, srv, loc, "app.sql")
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}

	ctx := context.Background()
	more := append(data[:10<<20:10<<20], randomBytes(5<<20, 4)...)
	if _, err := r.BackupStream(ctx, "app.sql", bytes.NewReader(more), repo.SnapshotOptions{Host: "ours"}); err != nil {
		t.Fatal(err)
	}
	runRestic(t, srv, loc, nil, "check", "--read-data")
	dump := runRestic(t, srv, loc, nil, "dump", "--host", "ours", "latest", "/app.sql")
	if !bytes.Equal(dump, more) {
		t.Fatalf("restic dump of our snapshot differs (%d bytes, want %d)", len(dump), len(more))
	}
}
