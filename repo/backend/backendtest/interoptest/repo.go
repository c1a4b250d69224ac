package interoptest

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// FastKDF keeps key derivation cheap in tests; restic reads such keys.
var FastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// RandomData returns n reproducible random bytes: the same n and seed
// always give the same bytes.
func RandomData(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// Init creates a repository with FastKDF on be and fails the test if it
// cannot.
func Init(t testing.TB, be backend.Backend, password string) *repo.Repository {
	t.Helper()
	r, err := repo.Init(context.Background(), be, password, repo.InitOptions{KDF: FastKDF})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// InitAndBackup creates a repository on be and backs data up in it as
// name, in a snapshot of host.
func InitAndBackup(t testing.TB, be backend.Backend, password, host, name string, data []byte) *repo.Snapshot {
	t.Helper()
	sn, err := Init(t, be, password).BackupStream(context.Background(), name, bytes.NewReader(data), repo.SnapshotOptions{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// ReadBack opens the repository on be and returns it and the content of
// name in its only snapshot; the test fails if there is not exactly one.
func ReadBack(t testing.TB, be backend.Backend, password, name string) (*repo.Repository, []byte) {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Open(ctx, be, password, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots of %s: %d, %v; want 1", be.Location(), len(snaps), err)
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
