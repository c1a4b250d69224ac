package s3

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// BucketLookup selects how requests address the bucket.
type BucketLookup string

// The bucket lookup styles, as restic's s3.bucket-lookup option names them.
const (
	// LookupAuto uses virtual-host style where the endpoint is known to
	// support it (AWS, Google, Aliyun) and path style elsewhere. The empty
	// BucketLookup means LookupAuto.
	LookupAuto BucketLookup = "auto"
	// LookupPath addresses https://endpoint/bucket/key.
	LookupPath BucketLookup = "path"
	// LookupDNS addresses https://bucket.endpoint/key (virtual-host style).
	LookupDNS BucketLookup = "dns"
)

// Config locates a repository in a bucket and holds the credentials to
// reach it. Secrets print as [REDACTED].
type Config struct {
	// Endpoint is the server's host[:port], without scheme.
	Endpoint string
	// UseHTTPS selects https (true) or plain http.
	UseHTTPS bool
	// Bucket is the bucket's name.
	Bucket string
	// Prefix is the repository's folder inside the bucket, without
	// leading or trailing slash; empty means the bucket's root.
	Prefix string
	// Region is the bucket's region; empty lets minio-go ask the server.
	Region string
	// BucketLookup is the addressing style; empty means LookupAuto.
	BucketLookup BucketLookup

	// KeyID, Secret and SessionToken are static credentials. When KeyID
	// and Secret are empty, the Profile section of CredentialsFile is
	// used; when that has none either, requests are anonymous.
	KeyID        string
	Secret       redact.Secret
	SessionToken redact.Secret
	// Profile is the shared credentials file's section; empty means
	// "default".
	Profile string
	// CredentialsFile is the shared credentials file (ini format, as
	// written by "aws configure"); empty means none.
	CredentialsFile string
}

// Location returns the repository location in the form ParseLocation
// reads, always with an explicit scheme:
// "s3:https://host[:port]/bucket[/prefix]". It never holds credentials.
func (c Config) Location() string {
	scheme := "http"
	if c.UseHTTPS {
		scheme = "https"
	}
	loc := "s3:" + scheme + "://" + c.Endpoint + "/" + c.Bucket
	if c.Prefix != "" {
		loc += "/" + c.Prefix
	}
	return loc
}

// ErrInvalidLocation is wrapped by ParseLocation errors for malformed
// locations.
var ErrInvalidLocation = errors.New("invalid s3 location")

// ParseLocation parses an "s3:" repository location the way restic does
// and reads credentials and region from env (see ApplyEnv); a nil env
// reads nothing. Prefixes are cleaned ("a//b/" becomes "a/b"). Errors
// wrap ErrInvalidLocation and never repeat the location, which might hold
// credentials: a user:password in an s3: URL is refused, since S3
// credentials come from the environment.
func ParseLocation(location string, env func(name string) (string, bool)) (Config, error) {
	cfg, err := parse(location)
	if err != nil {
		return Config{}, err
	}
	if env != nil {
		if err := cfg.ApplyEnv(env); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

func parse(location string) (Config, error) {
	var cfg Config
	rest, ok := strings.CutPrefix(location, "s3:")
	if !ok {
		return cfg, fmt.Errorf("%w: does not start with s3:", ErrInvalidLocation)
	}
	switch {
	case strings.HasPrefix(rest, "http://"), strings.HasPrefix(rest, "https://"):
		u, err := url.Parse(rest)
		if err != nil {
			return cfg, fmt.Errorf("%w: not a URL", ErrInvalidLocation)
		}
		if u.User != nil {
			return cfg, fmt.Errorf("%w: credentials in the URL are not supported; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", ErrInvalidLocation)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return cfg, fmt.Errorf("%w: a query or fragment is not supported", ErrInvalidLocation)
		}
		cfg.Endpoint, cfg.UseHTTPS = u.Host, u.Scheme == "https"
		cfg.Bucket, cfg.Prefix, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	default:
		// "s3:host/bucket/prefix" and the older "s3://host/bucket/prefix":
		// the first path element is the endpoint, reached over HTTPS.
		rest = strings.TrimPrefix(rest, "//")
		var bucketPath string
		cfg.Endpoint, bucketPath, _ = strings.Cut(rest, "/")
		cfg.Bucket, cfg.Prefix, _ = strings.Cut(bucketPath, "/")
		cfg.UseHTTPS = true
	}
	if !validEndpoint(cfg.Endpoint) {
		return Config{}, fmt.Errorf("%w: host[:port] not found; want s3:https://host[:port]/bucket[/prefix] or s3:host/bucket[/prefix]", ErrInvalidLocation)
	}
	if cfg.Bucket == "" {
		return Config{}, fmt.Errorf("%w: bucket name not found; want s3:https://host[:port]/bucket[/prefix] or s3:host/bucket[/prefix]", ErrInvalidLocation)
	}
	cfg.Prefix = cleanPrefix(cfg.Prefix)
	return cfg, nil
}

// validEndpoint reports whether s is a plain host[:port].
func validEndpoint(s string) bool {
	if s == "" || strings.HasSuffix(s, ":") || strings.ContainsAny(s, "@?#/\\ ") {
		return false
	}
	u, err := url.Parse("http://" + s)
	return err == nil && u.Host == s && u.Hostname() != ""
}

// cleanPrefix returns p cleaned, without leading or trailing slashes.
func cleanPrefix(p string) string {
	if p == "" {
		return ""
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	return p
}
