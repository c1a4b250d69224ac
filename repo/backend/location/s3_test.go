package location

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// TestOpenS3 checks that "s3:" locations open an S3 backend with the
// credentials of env, and that bad ones are refused without being
// repeated.
func TestOpenS3(t *testing.T) {
	ctx := context.Background()
	be, err := OpenWithEnv(ctx, "s3:minio.internal:9000/bucket/a/b", env(map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY": "supersecret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	if _, ok := be.(*retry.Backend); !ok {
		t.Fatalf("location.Open returned %T, want an S3 backend wrapped in retry", be)
	}
	if got, want := be.Location(), "s3:https://minio.internal:9000/bucket/a/b"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
	if Type("s3://host/bucket") != "s3" {
		t.Errorf("s3:// is not an s3 location")
	}
	for loc, want := range map[string]error{
		"s3:https://AKIAEXAMPLEKEY:supersecret@host/bucket": s3.ErrInvalidLocation,
		"s3:https://host": s3.ErrInvalidLocation,
	} {
		_, err := OpenWithEnv(ctx, loc, env(nil))
		if !errors.Is(err, want) {
			t.Errorf("Open(%q) = %v, want %v", loc, err, want)
		} else if strings.Contains(err.Error(), "supersecret") {
			t.Errorf("Open(%q) leaks the secret: %v", loc, err)
		}
	}
	_, err = OpenWithEnv(ctx, "s3:host/bucket", env(map[string]string{"AWS_SECRET_ACCESS_KEY": "supersecret"}))
	if !errors.Is(err, s3.ErrPartialCredentials) || strings.Contains(err.Error(), "supersecret") {
		t.Errorf("partial credentials: %v", err)
	}
}

// env returns a lookup function over vars.
func env(vars map[string]string) Lookup {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}
