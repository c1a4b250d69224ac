package s3_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

func TestParseLocation(t *testing.T) {
	type want struct {
		endpoint string
		https    bool
		bucket   string
		prefix   string
	}
	for _, tc := range []struct {
		loc  string
		want want
	}{
		{"s3:https://s3.example.com/bucket", want{"s3.example.com", true, "bucket", ""}},
		{"s3:https://s3.example.com/bucket/", want{"s3.example.com", true, "bucket", ""}},
		{"s3:https://s3.example.com/bucket/prefix", want{"s3.example.com", true, "bucket", "prefix"}},
		{"s3:https://s3.example.com:9000/bucket/a/b/c", want{"s3.example.com:9000", true, "bucket", "a/b/c"}},
		{"s3:https://s3.example.com:9000/bucket/a//b/c/", want{"s3.example.com:9000", true, "bucket", "a/b/c"}},
		{"s3:http://127.0.0.1:9000/bucket/prefix", want{"127.0.0.1:9000", false, "bucket", "prefix"}},
		{"s3:http://localhost/my-bucket/apps/app1/db", want{"localhost", false, "my-bucket", "apps/app1/db"}},
		{"s3:http://[::1]:9000/bucket/p", want{"[::1]:9000", false, "bucket", "p"}},
		{"s3:minio.internal/bucket/prefix", want{"minio.internal", true, "bucket", "prefix"}},
		{"s3:minio.internal:9000/bucket/a/b", want{"minio.internal:9000", true, "bucket", "a/b"}},
		{"s3:minio.internal/bucket", want{"minio.internal", true, "bucket", ""}},
		{"s3:s3.amazonaws.com/bucket", want{"s3.amazonaws.com", true, "bucket", ""}},
		{"s3:s3.amazonaws.com/bucket/prefix/with/slashes", want{"s3.amazonaws.com", true, "bucket", "prefix/with/slashes"}},
		{"s3:s3.eu-central-1.amazonaws.com/bucket/p", want{"s3.eu-central-1.amazonaws.com", true, "bucket", "p"}},
		{"s3://s3.amazonaws.com/bucket/p", want{"s3.amazonaws.com", true, "bucket", "p"}},
	} {
		cfg, err := s3.ParseLocation(tc.loc, nil)
		if err != nil {
			t.Errorf("ParseLocation(%q): %v", tc.loc, err)
			continue
		}
		got := want{cfg.Endpoint, cfg.UseHTTPS, cfg.Bucket, cfg.Prefix}
		if got != tc.want {
			t.Errorf("ParseLocation(%q) = %+v, want %+v", tc.loc, got, tc.want)
		}
		if cfg.KeyID != "" || !cfg.Secret.IsZero() || cfg.Region != "" || cfg.BucketLookup != "" {
			t.Errorf("ParseLocation(%q) without env set credentials or options: %+v", tc.loc, cfg)
		}
		// Location is canonical and parses back to the same place.
		again, err := s3.ParseLocation(cfg.Location(), nil)
		if err != nil || again.Endpoint != cfg.Endpoint || again.UseHTTPS != cfg.UseHTTPS ||
			again.Bucket != cfg.Bucket || again.Prefix != cfg.Prefix {
			t.Errorf("Location %q of %q does not parse back: %+v, %v", cfg.Location(), tc.loc, again, err)
		}
	}
}

func TestLocationString(t *testing.T) {
	for loc, want := range map[string]string{
		"s3:host/bucket/a/b":                "s3:https://host/bucket/a/b",
		"s3:http://127.0.0.1:9000/bucket":   "s3:http://127.0.0.1:9000/bucket",
		"s3:https://h:1/bucket//x/":         "s3:https://h:1/bucket/x",
		"s3:s3.amazonaws.com/bucket/prefix": "s3:https://s3.amazonaws.com/bucket/prefix",
	} {
		cfg, err := s3.ParseLocation(loc, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Location(); got != want {
			t.Errorf("Location of %q = %q, want %q", loc, got, want)
		}
	}
}

func TestParseLocationErrors(t *testing.T) {
	for _, loc := range []string{
		"s3:",
		"s3:host",
		"s3:host/",
		"s3:/bucket/prefix",
		"s3:https://",
		"s3:https://host",
		"s3:https:///bucket",
		"s3:https://host/",
		"s3:https://AKIAEXAMPLE:supersecret@host/bucket",
		"s3:https://host/bucket?X-Amz-Signature=supersecret",
		"s3:ftp://host/bucket",
		"s3:host:/bucket",
		"rest:https://host/bucket",
		"s3:http://host:9000",
	} {
		_, err := s3.ParseLocation(loc, nil)
		if !errors.Is(err, s3.ErrInvalidLocation) {
			t.Errorf("ParseLocation(%q) = %v, want ErrInvalidLocation", loc, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "supersecret") || strings.Contains(msg, "AKIAEXAMPLE") {
			t.Errorf("ParseLocation(%q) error leaks credentials: %v", loc, err)
		}
	}
}

// env returns a lookup function over vars.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestParseLocationEnv(t *testing.T) {
	home := t.TempDir()
	cfg, err := s3.ParseLocation("s3:https://host/bucket/p", env(map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAEXAMPLEKEY",
		"AWS_SECRET_ACCESS_KEY": "secret/with+chars",
		"AWS_SESSION_TOKEN":     "session-token-value",
		"AWS_DEFAULT_REGION":    "eu-west-3",
		"AWS_REGION":            "us-west-2",
		"AWS_PROFILE":           "backups",
		"HOME":                  home,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.KeyID != "AKIAEXAMPLEKEY" || cfg.Secret.Reveal() != "secret/with+chars" || cfg.SessionToken.Reveal() != "session-token-value" {
		t.Errorf("credentials not read: %q", cfg.KeyID)
	}
	if cfg.Region != "eu-west-3" {
		t.Errorf("region %q, want AWS_DEFAULT_REGION's eu-west-3", cfg.Region)
	}
	if cfg.Profile != "backups" || cfg.CredentialsFile != filepath.Join(home, ".aws", "credentials") {
		t.Errorf("profile %q, file %q", cfg.Profile, cfg.CredentialsFile)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, cfg); strings.Contains(out, "secret/with+chars") || strings.Contains(out, "session-token-value") {
			t.Errorf("Config printed with %s leaks a secret: %s", verb, out)
		}
	}

	cfg, err = s3.ParseLocation("s3:host/bucket", env(map[string]string{
		"AWS_REGION": "us-west-2", "AWS_SHARED_CREDENTIALS_FILE": "/etc/creds",
	}))
	if err != nil || cfg.Region != "us-west-2" || cfg.CredentialsFile != "/etc/creds" || cfg.KeyID != "" {
		t.Errorf("AWS_REGION / AWS_SHARED_CREDENTIALS_FILE: %+v, %v", cfg, err)
	}

	for _, vars := range []map[string]string{
		{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY"},
		{"AWS_SECRET_ACCESS_KEY": "lonely-secret"},
	} {
		_, err := s3.ParseLocation("s3:host/bucket", env(vars))
		if !errors.Is(err, s3.ErrPartialCredentials) {
			t.Errorf("ParseLocation with %v = %v, want ErrPartialCredentials", vars, err)
		} else if strings.Contains(err.Error(), "lonely-secret") || strings.Contains(err.Error(), "AKIAEXAMPLEKEY") {
			t.Errorf("error leaks a credential: %v", err)
		}
	}
}
