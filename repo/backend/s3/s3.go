package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// DefaultConnections is the number of requests a Backend has in flight
// by default, as restic's s3.connections.
const DefaultConnections = 5

// minioRetries is how many times minio-go sends one request: once more
// after a quick failure, and once more to follow a region redirect.
// Longer outages are for the caller's retry layer.
const minioRetries = 3

// Options tune Open. The zero value means defaults.
type Options struct {
	// Connections is the number of concurrent requests the backend
	// handles well; 0 means DefaultConnections.
	Connections uint
	// Transport carries the requests; nil means minio-go's default
	// transport, with enough idle connections kept for Connections.
	Transport http.RoundTripper
	// CreateBucket lets Create make the bucket when it does not exist.
	CreateBucket bool
}

// Backend is a repository in an S3 bucket. It is safe for concurrent use.
type Backend struct {
	cfg      Config
	opts     Options
	client   *minio.Client
	core     minio.Core
	creds    *credentials.Credentials
	location string
	redactor *redact.Redactor
	ownTr    *http.Transport // closed by Close when Open made it
}

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Creator = (*Backend)(nil)
)

// Open returns the backend for cfg. It sends no request: a missing
// bucket or wrong credentials show on the first operation.
func Open(ctx context.Context, cfg Config, opts Options) (*Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Connections == 0 {
		opts.Connections = DefaultConnections
	}
	lookup, err := cfg.BucketLookup.minio()
	if err != nil {
		return nil, err
	}
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, fmt.Errorf("%w: endpoint and bucket are required", ErrInvalidLocation)
	}
	cfg.Prefix = cleanPrefix(cfg.Prefix)
	b := &Backend{cfg: cfg, opts: opts, location: cfg.Location(), redactor: &redact.Redactor{}}
	b.redactor.Add(cfg.KeyID, cfg.Secret.Reveal(), cfg.SessionToken.Reveal())
	tr := opts.Transport
	if tr == nil {
		t, err := minio.DefaultTransport(cfg.UseHTTPS)
		if err != nil {
			return nil, err
		}
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, 2*int(opts.Connections))
		tr, b.ownTr = t, t
	}
	b.creds = newCredentials(cfg)
	b.client, err = minio.New(cfg.Endpoint, &minio.Options{
		Creds:        b.creds,
		Secure:       cfg.UseHTTPS,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    tr,
		MaxRetries:   minioRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %s", b.location, b.redactor.Redact(err.Error()))
	}
	b.core = minio.Core{Client: b.client}
	return b, nil
}

// minio returns the minio-go lookup type for l.
func (l BucketLookup) minio() (minio.BucketLookupType, error) {
	switch l {
	case "", LookupAuto:
		return minio.BucketLookupAuto, nil
	case LookupPath:
		return minio.BucketLookupPath, nil
	case LookupDNS:
		return minio.BucketLookupDNS, nil
	}
	return 0, fmt.Errorf("s3: unknown bucket lookup %q; want auto, path or dns", string(l))
}

// Location returns the repository location without credentials, in the
// form Config.Location gives.
func (b *Backend) Location() string { return b.location }

// Connections returns Options.Connections.
func (b *Backend) Connections() uint { return b.opts.Connections }

// Close releases idle connections of the transport Open made.
func (b *Backend) Close() error {
	if b.ownTr != nil {
		b.ownTr.CloseIdleConnections()
	}
	return nil
}

// key returns the object key of h: path.Join(prefix, backend.Path(h)).
func (b *Backend) key(h backend.Handle) string {
	return path.Join(b.cfg.Prefix, backend.Path(h))
}

// dirKey returns the listing prefix of files of type t, ending in "/",
// or "" for the config in a repository at the bucket's root.
func (b *Backend) dirKey(t backend.FileType) string {
	dir := path.Join(b.cfg.Prefix, backend.Dir(t))
	if dir == "" {
		return ""
	}
	return dir + "/"
}

// errInvalidHandle is wrapped by errors for handles no repository holds.
var errInvalidHandle = errors.New("invalid handle")

// checkHandle rejects handles that would address the wrong object.
func checkHandle(h backend.Handle) error {
	if h.Type < backend.ConfigFile || h.Type > backend.PackFile {
		return fmt.Errorf("%w: unknown file type %d", errInvalidHandle, int(h.Type))
	}
	if h.Type != backend.ConfigFile && (h.Name == "" || path.Base(h.Name) != h.Name || h.Name == "." || h.Name == "..") {
		return fmt.Errorf("%w: bad name %q", errInvalidHandle, h.Name)
	}
	return nil
}
