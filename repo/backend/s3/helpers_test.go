package s3_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// bucketSeq numbers the buckets tests create, so names never repeat.
var bucketSeq atomic.Int64

// newBucketName returns a fresh, valid bucket name.
func newBucketName(kind string) string {
	return fmt.Sprintf("kb-%s-%d", kind, bucketSeq.Add(1))
}

// serverConfig returns the path-style configuration of prefix in bucket
// on srv, with srv's root credentials.
func serverConfig(srv *testenv.S3Server, bucket, prefix string) s3.Config {
	return s3.Config{
		Endpoint:     srv.Host,
		Bucket:       bucket,
		Prefix:       prefix,
		Region:       testenv.S3Region,
		BucketLookup: s3.LookupPath,
		KeyID:        srv.AccessKey,
		Secret:       redact.NewSecret(srv.SecretKey),
	}
}

// openBackend opens cfg and closes the backend when the test ends.
func openBackend(t testing.TB, cfg s3.Config, opts s3.Options) *s3.Backend {
	t.Helper()
	be, err := s3.Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = be.Close() })
	return be
}

// lookupEnv returns a lookup over srv's Env() plus extra "NAME=value"
// entries, and nothing from the process environment.
func lookupEnv(srv *testenv.S3Server, extra ...string) func(string) (string, bool) {
	vars := map[string]string{"HOME": "/nonexistent"}
	for _, kv := range append(srv.Env(), extra...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// hostRecorder is a transport that sends every request for a host below
// domain to 127.0.0.1 and records the Host of each request.
type hostRecorder struct {
	base  *http.Transport
	mu    sync.Mutex
	hosts map[string]int
}

// newHostRecorder returns a recorder whose idle connections are closed
// when the test ends.
func newHostRecorder(t testing.TB, domain string) *hostRecorder {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if host == domain || strings.HasSuffix(host, "."+domain) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 16,
		DisableCompression:  true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &hostRecorder{base: tr, hosts: make(map[string]int)}
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts[req.URL.Host]++
	h.mu.Unlock()
	return h.base.RoundTrip(req)
}

// seen returns the number of requests sent to host.
func (h *hostRecorder) seen(host string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hosts[host]
}
