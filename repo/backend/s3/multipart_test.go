package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
	"github.com/minio/minio-go/v7"
)

// noHashReader is a RewindReader whose Hash is unknown, so Save computes
// the SHA-256 itself.
type noHashReader struct{ *backend.ByteReader }

func (noHashReader) Hash() []byte { return nil }

// TestLargeObjects saves objects above the multipart threshold (lowered
// to 5 MiB, S3's smallest part) and at it, with and without a known
// hash, and a large one whose reader lies about its length.
func TestLargeObjects(t *testing.T) {
	defer s3.SetMultipartSize(5 << 20)()
	srv := testenv.StartS3(t)
	bucket := newBucketName("large")
	srv.CreateBucket(t, bucket)
	be := openBackend(t, serverConfig(srv, bucket, "big"), s3.Options{})
	ctx := context.Background()
	for i, size := range []int{5 << 20, 5<<20 + 1, 12<<20 + 17} {
		data := randomBytes(size, byte(20+i))
		h := backend.Handle{Type: backend.PackFile, Name: idOf(data)}
		var rd backend.RewindReader = backend.NewByteReader(data)
		if i%2 == 1 {
			rd = noHashReader{backend.NewByteReader(data)}
		}
		if err := be.Save(ctx, h, rd); err != nil {
			t.Fatalf("save %d bytes: %v", size, err)
		}
		var got bytes.Buffer
		if err := be.Load(ctx, h, 0, 0, func(r io.Reader) error {
			_, err := got.ReadFrom(r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("%d bytes: content differs", size)
		}
		info, err := rawClient(t, srv).StatObject(ctx, bucket, "big/data/"+h.Name[:2]+"/"+h.Name, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// A multipart upload's ETag ends in "-<parts>".
		if multipart := strings.Contains(info.ETag, "-"); multipart != (size > 5<<20) || info.ContentType != "application/octet-stream" {
			t.Errorf("%d bytes: ETag %q, Content-Type %q", size, info.ETag, info.ContentType)
		}
	}
	data := randomBytes(6<<20, 30)
	h := backend.Handle{Type: backend.PackFile, Name: idOf(data)}
	err := be.Save(ctx, h, longReader{backend.NewByteReader(data)})
	if !errors.Is(err, backend.ErrLengthMismatch) || !be.IsPermanentError(err) {
		t.Fatalf("save with a wrong length: %v", err)
	}
	if _, err := be.Stat(ctx, h); !be.IsNotExist(err) {
		t.Fatalf("object exists after a failed save: %v", err)
	}
}

// longReader claims to be one byte longer than it is.
type longReader struct{ *backend.ByteReader }

func (r longReader) Length() int64 { return r.ByteReader.Length() + 1 }
