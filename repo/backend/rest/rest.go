package rest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var (
	_ backend.Backend = (*Backend)(nil)
	_ backend.Creator = (*Backend)(nil)
)

// DefaultConnections is the number of concurrent requests the backend
// reports suiting it, as in restic.
const DefaultConnections = 5

// DefaultStallTimeout is how long a request may go without sending or
// receiving a byte before it is canceled.
const DefaultStallTimeout = 5 * time.Minute

// Options tune a Backend. The zero value means defaults.
type Options struct {
	// Transport makes the HTTP requests; nil means a copy of
	// http.DefaultTransport keeping Connections idle connections to the
	// server.
	Transport http.RoundTripper
	// Connections is what Connections reports, the number of requests
	// callers should keep in flight; 0 means DefaultConnections.
	Connections uint
	// StallTimeout cancels a request that sends and receives nothing for
	// this long, with a transient error; 0 means DefaultStallTimeout.
	StallTimeout time.Duration
}

// Backend is a repository on a REST server. It is safe for concurrent use.
type Backend struct {
	base     *url.URL
	user     string
	password string
	auth     bool
	location string
	client   *http.Client
	conns    uint
	stall    time.Duration
}

// Open returns a backend for the repository cfg describes. It does not
// contact the server: a wrong address or password shows in the first
// operation.
func Open(ctx context.Context, cfg Config, opts Options) (*Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.URL == nil || (cfg.URL.Scheme != "http" && cfg.URL.Scheme != "https") || cfg.URL.Host == "" {
		return nil, fmt.Errorf("%w: the URL must be http(s)://host[:port]/path", ErrInvalidLocation)
	}
	base := *cfg.URL
	base.User = nil
	if base.Path == "" || base.Path[len(base.Path)-1] != '/' {
		base.Path += "/"
		if base.RawPath != "" {
			base.RawPath += "/"
		}
	}
	if opts.Connections == 0 {
		opts.Connections = DefaultConnections
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = DefaultStallTimeout
	}
	if opts.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 2 * int(opts.Connections)
		// Packs are incompressible; asking for gzip only costs CPU.
		t.DisableCompression = true
		// Packs are megabytes: move them in fewer, larger system calls.
		t.WriteBufferSize, t.ReadBufferSize = 64<<10, 64<<10
		opts.Transport = t
	}
	return &Backend{
		base:     &base,
		user:     cfg.Username,
		password: cfg.Password.Reveal(),
		auth:     cfg.Username != "" || !cfg.Password.IsZero(),
		location: cfg.Location(),
		client: &http.Client{Transport: opts.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("the server answered with a redirect, which the REST protocol does not use")
		}},
		conns: opts.Connections,
		stall: opts.StallTimeout,
	}, nil
}

// Location returns the repository location with the password redacted.
func (b *Backend) Location() string { return b.location }

// Connections returns the number of requests the backend suits in flight.
func (b *Backend) Connections() uint { return b.conns }

// HasAtomicReplace returns false: a server may leave a partly written file
// behind a failed upload, so the retry layer removes it before trying
// again.
func (b *Backend) HasAtomicReplace() bool { return false }

// Close closes idle connections.
func (b *Backend) Close() error {
	b.client.CloseIdleConnections()
	return nil
}

// Create creates the repository on the server: POST <base>?create=true.
// It fails with an error wrapping fs.ErrExist if a config file exists
// already.
func (b *Backend) Create(ctx context.Context) error {
	_, err := b.Stat(ctx, backend.Handle{Type: backend.ConfigFile})
	if err == nil {
		return fmt.Errorf("create: config %w", fs.ErrExist)
	}
	if !b.IsNotExist(err) {
		return fmt.Errorf("create: %w", err)
	}
	u := *b.base
	u.RawQuery = "create=true"
	resp, err := b.do(ctx, "create", "repository", http.MethodPost, u.String(), nil, 0, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError("create", "repository", resp)
	}
	drain(resp.Body)
	return nil
}

// fileURL returns the URL of h: <base>config or <base><type>/<name>. The
// server keeps packs in data/<xx>/ itself; the URL has no subdirectory.
func (b *Backend) fileURL(h backend.Handle) (string, error) {
	if h.Type == backend.ConfigFile {
		return b.base.String() + "config", nil
	}
	if h.Type < backend.KeyFile || h.Type > backend.PackFile {
		return "", fmt.Errorf("%w: unknown file type %d", errInvalidHandle, int(h.Type))
	}
	if h.Name == "" || h.Name == "." || h.Name == ".." || containsSlash(h.Name) {
		return "", fmt.Errorf("%w: bad file name %q", errInvalidHandle, h.Name)
	}
	return b.base.String() + h.Type.String() + "/" + url.PathEscape(h.Name), nil
}

// dirURL returns the URL that lists files of type t: <base><type>/.
func (b *Backend) dirURL(t backend.FileType) (string, error) {
	if t < backend.KeyFile || t > backend.PackFile {
		return "", fmt.Errorf("%w: cannot list file type %d", errInvalidHandle, int(t))
	}
	return b.base.String() + t.String() + "/", nil
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' || s[i] == '\\' {
			return true
		}
	}
	return false
}
