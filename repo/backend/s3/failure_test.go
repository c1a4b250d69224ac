package s3_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// failFast bounds how long a permanent failure may take to be reported.
const failFast = 5 * time.Second

// checkPermanent checks that err is a permanent *s3.Error, not "not
// found", whose message names the location and holds every want
// fragment and none of the secrets.
func checkPermanent(t *testing.T, be *s3.Backend, op string, err error, elapsed time.Duration, secrets []string, want ...string) {
	t.Helper()
	checkFailure(t, be, op, err, elapsed, secrets, want...)
	if be.IsNotExist(err) {
		t.Errorf("%s: IsNotExist = true", op)
	}
}

// checkFailure is checkPermanent without the "not found" check.
func checkFailure(t *testing.T, be *s3.Backend, op string, err error, elapsed time.Duration, secrets []string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", op)
	}
	t.Logf("%s: %v (%v)", op, err, elapsed.Round(time.Millisecond))
	var se *s3.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: %T is not an *s3.Error", op, err)
	}
	if !be.IsPermanentError(err) {
		t.Errorf("%s: IsPermanentError = false", op)
	}
	if elapsed > failFast {
		t.Errorf("%s: took %v, want under %v", op, elapsed, failFast)
	}
	msg := err.Error()
	for _, w := range append([]string{be.Location()}, want...) {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q lacks %q", op, msg, w)
		}
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("%s: message leaks a credential", op)
		}
	}
}

// everyOp runs each backend operation on be and returns its error and
// duration by name.
func everyOp(be *s3.Backend) map[string]func() error {
	ctx := context.Background()
	h := backend.Handle{Type: backend.KeyFile, Name: strings.Repeat("ab", 32)}
	return map[string]func() error{
		"save": func() error { return be.Save(ctx, h, backend.NewByteReader([]byte("data"))) },
		"load": func() error { return be.Load(ctx, h, 0, 0, func(io.Reader) error { return nil }) },
		"stat": func() error { _, err := be.Stat(ctx, h); return err },
		"list": func() error {
			return be.List(ctx, backend.KeyFile, func(backend.FileInfo) error { return nil })
		},
		"remove": func() error { return be.Remove(ctx, h) },
		"create": func() error { return be.Create(ctx) },
	}
}

func TestWrongCredentials(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("auth")
	srv.CreateBucket(t, bucket)
	const badSecret = "this-is-the-wrong-secret-key"
	for _, tc := range []struct {
		name   string
		keyID  string
		secret string
		hint   string
	}{
		{"wrong secret", srv.AccessKey, badSecret, "AWS_SECRET_ACCESS_KEY"},
		{"unknown key", "AKIAUNKNOWNKEY123456", srv.SecretKey, "AWS_ACCESS_KEY_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := serverConfig(srv, bucket, "repo")
			cfg.KeyID, cfg.Secret = tc.keyID, redact.NewSecret(tc.secret)
			be := openBackend(t, cfg, s3.Options{CreateBucket: true})
			secrets := []string{tc.secret, srv.SecretKey, tc.keyID, srv.AccessKey}
			for op, fn := range everyOp(be) {
				start := time.Now()
				checkPermanent(t, be, op, fn(), time.Since(start), secrets, tc.hint)
			}
			// Through the repository layer, as "kamal-backup snapshots" would.
			start := time.Now()
			_, err := repo.Open(context.Background(), be, "password", repo.Options{})
			checkPermanent(t, be, "repo.Open", err, time.Since(start), secrets, tc.hint)
		})
	}
}

func TestMissingBucket(t *testing.T) {
	srv := testenv.StartS3(t)
	cfg := serverConfig(srv, "no-such-bucket-here", "repo")
	be := openBackend(t, cfg, s3.Options{})
	secrets := []string{srv.SecretKey, srv.AccessKey}
	for op, fn := range everyOp(be) {
		start := time.Now()
		// Files in a missing bucket do not exist either: IsNotExist may
		// be true, but the message must say why.
		checkFailure(t, be, op, fn(), time.Since(start), secrets, `bucket "no-such-bucket-here"`)
	}
	start := time.Now()
	_, err := repo.Init(context.Background(), be, "password", repo.InitOptions{KDF: repo.KDFParams{N: 1024, R: 8, P: 1}})
	checkPermanent(t, be, "repo.Init", err, time.Since(start), secrets, `bucket "no-such-bucket-here": create it first`)
	start = time.Now()
	_, err = repo.Open(context.Background(), be, "password", repo.Options{})
	if !errors.Is(err, repo.ErrNoRepository) || time.Since(start) > failFast {
		t.Errorf("repo.Open: %v after %v, want ErrNoRepository at once", err, time.Since(start))
	}
}

func TestWrongRegion(t *testing.T) {
	srv := testenv.StartS3(t)
	bucket := newBucketName("region")
	srv.CreateBucket(t, bucket)
	cfg := serverConfig(srv, bucket, "repo")
	cfg.Region = "eu-central-1"
	be := openBackend(t, cfg, s3.Options{})
	secrets := []string{srv.SecretKey, srv.AccessKey}
	start := time.Now()
	err := be.List(context.Background(), backend.KeyFile, func(backend.FileInfo) error { return nil })
	checkPermanent(t, be, "list", err, time.Since(start), secrets)
}
