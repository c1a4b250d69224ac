package s3_test

import (
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest/interoptest"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

const testPassword = "s3-test-password"

// randomBytes returns n reproducible random bytes.
var randomBytes = interoptest.RandomData

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
	return interoptest.InitAndBackup(t, openLocation(t, srv, loc), testPassword, "s3-test", name, data)
}

// readBack opens the repository at loc afresh and returns it and the
// content of name in its only snapshot.
func readBack(t testing.TB, srv *testenv.S3Server, loc, name string) (*repo.Repository, []byte) {
	t.Helper()
	return interoptest.ReadBack(t, openLocation(t, srv, loc), testPassword, name)
}

// remote is the repository at loc on srv, for us and for restic 0.18.1
// with srv's credentials.
func remote(srv *testenv.S3Server, loc string) interoptest.Remote {
	return interoptest.Remote{
		Open: func(t testing.TB) backend.Backend { return openLocation(t, srv, loc) },
		Restic: interoptest.Restic{Repository: loc, Password: testPassword, Flags: []string{"--quiet"},
			Env: append(srv.Env(), "AWS_PROFILE=", "AWS_SESSION_TOKEN=")},
		Host: "s3-test",
	}
}

// TestRoundTrip backs up a 20 MiB stream to a bucket that does not exist
// yet (Init creates it, as restic init does) and reads it back through a
// new connection.
func TestRoundTrip(t *testing.T) {
	srv := testenv.StartS3(t)
	interoptest.RoundTrip(t, remote(srv, srv.Location(newBucketName("roundtrip"), "apps/app/db")))
}

// TestResticReadsOurs: restic 0.18.1 lists, dumps and fully checks a
// repository we wrote to the bucket.
func TestResticReadsOurs(t *testing.T) {
	srv := testenv.StartS3(t)
	interoptest.ResticReadsOurs(t, remote(srv, srv.Location(newBucketName("ours"), "kamal/app")))
}

// TestWeReadRestic: a repository restic 0.18.1 wrote to the bucket reads
// back byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("restic")
	srv.CreateBucket(t, bucket)
	interoptest.WeReadRestic(t, remote(srv, srv.Location(bucket, "restic/app")))
}
