package s3_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"slices"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// idOf returns the name restic gives data.
func idOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// rawClient returns a plain minio-go client of srv.
func rawClient(t testing.TB, srv *testenv.S3Server) *minio.Client {
	t.Helper()
	client, err := minio.New(srv.Host, &minio.Options{
		Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""), Region: testenv.S3Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// objectKeys lists every key of bucket with a plain minio-go client.
func objectKeys(t testing.TB, srv *testenv.S3Server, bucket string) []string {
	t.Helper()
	client := rawClient(t, srv)
	var keys []string
	for obj := range client.ListObjectsIter(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	slices.Sort(keys)
	return keys
}

// saveLayout saves a config, a key and a pack and returns the keys they
// must have below prefix ("" or "p/").
func saveLayout(t testing.TB, be backend.Backend, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	pack, key := []byte("pack"), []byte("key")
	for _, f := range []struct {
		h    backend.Handle
		data []byte
	}{
		{backend.Handle{Type: backend.ConfigFile}, []byte("config")},
		{backend.Handle{Type: backend.KeyFile, Name: idOf(key)}, key},
		{backend.Handle{Type: backend.PackFile, Name: idOf(pack)}, pack},
	} {
		if err := be.Save(ctx, f.h, backend.NewByteReader(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{prefix + "config", prefix + "data/" + idOf(pack)[:2] + "/" + idOf(pack), prefix + "keys/" + idOf(key)}
	slices.Sort(want)
	return want
}

func TestObjectKeys(t *testing.T) {
	srv := testenv.StartS3(t)
	for _, prefix := range []string{"", "one", "apps/app-1/db"} {
		bucket := newBucketName("layout")
		srv.CreateBucket(t, bucket)
		be := openBackend(t, serverConfig(srv, bucket, prefix), s3.Options{})
		p := prefix
		if p != "" {
			p += "/"
		}
		want := saveLayout(t, be, p)
		if got := objectKeys(t, srv, bucket); !slices.Equal(got, want) {
			t.Errorf("prefix %q: keys %q, want %q", prefix, got, want)
		}
	}
}

// TestObjectKeysVirtualHost checks that virtual-host style requests
// address the right bucket: the objects are found by a path-style client.
func TestObjectKeysVirtualHost(t *testing.T) {
	const domain = "s3.test"
	srv := testenv.StartS3With(t, testenv.S3Options{VirtualDomain: domain})
	_, port, _ := net.SplitHostPort(srv.Host)
	bucket := newBucketName("vlayout")
	srv.CreateBucket(t, bucket)
	cfg := serverConfig(srv, bucket, "vh")
	cfg.Endpoint, cfg.BucketLookup = domain+":"+port, s3.LookupDNS
	rec := newHostRecorder(t, domain)
	be := openBackend(t, cfg, s3.Options{Transport: rec})
	want := saveLayout(t, be, "vh/")
	if got := objectKeys(t, srv, bucket); !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	if rec.seen(bucket+"."+domain+":"+port) < 3 {
		t.Errorf("requests did not use the virtual host %s.%s", bucket, domain)
	}
}
