package s3_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// TestSharedCredentialsFile reaches the server with the AWS_PROFILE
// section of the shared credentials file, no AWS_ACCESS_KEY_ID set.
func TestSharedCredentialsFile(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("profile")
	srv.CreateBucket(t, bucket)
	home := t.TempDir()
	file := filepath.Join(home, ".aws", "credentials")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	ini := "[default]\naws_access_key_id = WRONGKEYID\naws_secret_access_key = wrong\n\n" +
		"[backups]\naws_access_key_id = " + srv.AccessKey + "\naws_secret_access_key = " + srv.SecretKey + "\n"
	if err := os.WriteFile(file, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	lookup := func(vars map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		vars map[string]string
		ok   bool
	}{
		{"profile in HOME", map[string]string{"HOME": home, "AWS_PROFILE": "backups", "AWS_DEFAULT_REGION": testenv.S3Region}, true},
		{"named file", map[string]string{"HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "backups"}, true},
		{"default profile", map[string]string{"HOME": home}, false},
		{"env key wins", map[string]string{"HOME": home, "AWS_PROFILE": "backups",
			"AWS_ACCESS_KEY_ID": "AKIAOTHERKEY", "AWS_SECRET_ACCESS_KEY": "other-secret"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := s3.ParseLocation(srv.Location(bucket, "p"), lookup(tc.vars))
			if err != nil {
				t.Fatal(err)
			}
			cfg.BucketLookup = s3.LookupPath
			be := openBackend(t, cfg, s3.Options{})
			err = be.Save(ctx, backend.Handle{Type: backend.ConfigFile}, backend.NewByteReader([]byte("config")))
			if tc.ok && err != nil {
				t.Fatalf("save with the profile's key: %v", err)
			}
			if !tc.ok && (err == nil || !be.IsPermanentError(err)) {
				t.Fatalf("save with the wrong key: %v, want a permanent error", err)
			}
		})
	}
}
