package testenv

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func TestStartS3(t *testing.T) {
	s := StartS3(t)
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") || s.Endpoint != "http://"+s.Host {
		t.Fatalf("endpoint %q, host %q", s.Endpoint, s.Host)
	}
	env := strings.Join(s.Env(), "\n")
	for _, want := range []string{"AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s.SecretKey, "AWS_DEFAULT_REGION=" + S3Region} {
		if !strings.Contains(env, want) {
			t.Errorf("Env() lacks %s", want)
		}
	}
	if got, want := s.Location("bucket1", "x/y"), "s3:"+s.Endpoint+"/bucket1/x/y"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}

	s.CreateBucket(t, "bucket1")
	if fi, err := os.Stat(filepath.Join(s.Dir, "bucket1")); err != nil || !fi.IsDir() {
		t.Fatalf("bucket directory: %v", err)
	}
	client, err := minio.New(s.Host, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: S3Region, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := []byte("hello versitygw")
	if _, err := client.PutObject(ctx, "bucket1", "x/y/obj", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	obj, err := client.GetObject(ctx, "bucket1", "x/y/obj", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %q, %v", got, err)
	}

	// Wrong credentials are refused.
	bad, _ := minio.New(s.Host, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, "wrong-secret-key", ""), Region: S3Region, MaxRetries: 1})
	if _, err := bad.BucketExists(ctx, "bucket1"); err == nil {
		t.Error("a wrong secret key was accepted")
	}

	s.Stop()
	s.Stop() // idempotent
	if _, err := client.BucketExists(ctx, "bucket1"); err == nil {
		t.Error("server still answers after Stop")
	}
}
