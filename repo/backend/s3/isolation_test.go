package s3_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// TestPrefixIsolation puts three repositories in one bucket, at prefixes
// that are a string prefix ("apps/a", "apps/ab") or a parent folder
// ("apps") of one another, and checks that none sees another's files.
func TestPrefixIsolation(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("shared")
	srv.CreateBucket(t, bucket)
	prefixes := []string{"apps/a", "apps/ab", "apps"}
	data := make(map[string][]byte)
	snaps := make(map[string]string)
	for i, p := range prefixes {
		data[p] = randomBytes(3<<20, byte(10+i))
		snaps[p] = initAndBackup(t, srv, srv.Location(bucket, p), "dump.sql", data[p]).ID().String()
	}
	ctx := context.Background()
	for _, p := range prefixes {
		loc := srv.Location(bucket, p)
		r, got := readBack(t, srv, loc, "dump.sql")
		if !bytes.Equal(got, data[p]) {
			t.Errorf("%s: content differs", p)
		}
		be := openLocation(t, srv, loc)
		var snapNames []string
		err := be.List(ctx, backend.SnapshotFile, func(fi backend.FileInfo) error {
			snapNames = append(snapNames, fi.Name)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(snapNames) != 1 || snapNames[0] != snaps[p] {
			t.Errorf("%s lists snapshots %v, want only %s", p, snapNames, snaps[p])
		}
		for _, ft := range []backend.FileType{backend.KeyFile, backend.IndexFile} {
			n := 0
			if err := be.List(ctx, ft, func(backend.FileInfo) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s lists %d %v files, want 1", p, n, ft)
			}
		}
		// Every pack listed belongs to this repository: its index knows it.
		res, err := r.Check(ctx, repo.CheckOptions{ReadData: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() || len(res.Hints) != 0 {
			t.Errorf("%s: check found problems: %+v", p, res)
		}
	}
}
