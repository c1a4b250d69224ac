package repo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

func newRepo(t testing.TB, version uint) (*repo.Repository, backend.Backend) {
	t.Helper()
	be := mem.New()
	r, err := repo.Init(context.Background(), be, "secret", repo.InitOptions{Version: version, KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	return r, be
}

func randomData(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

func TestBackupStreamRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, version := range []uint{1, 2} {
		r, be := newRepo(t, version)
		data := append(randomData(5<<20, 1), bytes.Repeat([]byte("INSERT INTO t VALUES (1);\n"), 100000)...)
		sn, err := r.BackupStream(ctx, "databases/app/app/postgres.pgdump", bytes.NewReader(data), repo.SnapshotOptions{Tags: []string{"a", "b"}, Host: "h1"})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := repo.Open(ctx, be, "secret", repo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		snaps, err := r2.Snapshots(ctx, repo.Filter{Hosts: []string{"h1"}})
		if err != nil || len(snaps) != 1 || snaps[0].ID() != sn.ID() {
			t.Fatalf("snapshots: %v %v", snaps, err)
		}
		if got := snaps[0].Paths; len(got) != 1 || got[0] != "/databases/app/app/postgres.pgdump" {
			t.Fatalf("paths %v", got)
		}
		rc, err := r2.OpenFile(ctx, snaps[0], "databases/app/app/postgres.pgdump")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("v%d: dump differs (%d vs %d bytes): %v", version, len(got), len(data), err)
		}
		// A second identical backup adds only metadata.
		sn2, err := r2.BackupStream(ctx, "databases/app/app/postgres.pgdump", bytes.NewReader(data), repo.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sn2.Summary.DataBlobs != 0 {
			t.Fatalf("second backup added %d data blobs", sn2.Summary.DataBlobs)
		}
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("pg_dump exited with status 1")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestBackupStreamSourceFailureWritesNoSnapshot(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, 2)
	_, err := r.BackupStream(ctx, "db.sql", &failingReader{n: 3 << 20}, repo.SnapshotOptions{})
	var se *repo.SourceError
	if !errors.As(err, &se) || se.Name != "db.sql" {
		t.Fatalf("got %v, want SourceError for db.sql", err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 0 {
		t.Fatalf("snapshots after failure: %d %v", len(snaps), err)
	}
}

func TestOpenWrongPassword(t *testing.T) {
	_, be := newRepo(t, 2)
	if _, err := repo.Open(context.Background(), be, "nope", repo.Options{}); !errors.Is(err, repo.ErrWrongPassword) {
		t.Fatalf("got %v", err)
	}
	if _, err := repo.Open(context.Background(), mem.New(), "x", repo.Options{}); !errors.Is(err, repo.ErrNoRepository) {
		t.Fatalf("got %v", err)
	}
}
