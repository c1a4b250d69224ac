package s3_test

import (
	"net"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

// TestBackend runs the conformance suite against versitygw, path style,
// each subtest in a new bucket created by Create, below a nested prefix.
func TestBackend(t *testing.T) {
	srv := testenv.StartS3(t)
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		cfg := serverConfig(srv, newBucketName("conf"), "apps/app-1/db")
		return openBackend(t, cfg, s3.Options{CreateBucket: true})
	})
}

// TestBackendVirtualHost runs the conformance suite with virtual-host
// style addressing (bucket.s3.test:port), in the bucket's root, and
// checks that requests really went to the bucket's host name.
func TestBackendVirtualHost(t *testing.T) {
	const domain = "s3.test"
	srv := testenv.StartS3With(t, testenv.S3Options{VirtualDomain: domain})
	_, port, err := net.SplitHostPort(srv.Host)
	if err != nil {
		t.Fatal(err)
	}
	rec := newHostRecorder(t, domain)
	var buckets []string
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		cfg := serverConfig(srv, newBucketName("vhost"), "")
		cfg.Endpoint, cfg.BucketLookup = domain+":"+port, s3.LookupDNS
		buckets = append(buckets, cfg.Bucket)
		return openBackend(t, cfg, s3.Options{CreateBucket: true, Transport: rec})
	})
	for _, b := range buckets {
		if rec.seen(b+"."+domain+":"+port) == 0 {
			t.Errorf("no request addressed %s.%s", b, domain)
		}
	}
	if n := rec.seen(domain + ":" + port); n != 0 {
		t.Logf("%d requests without a bucket host (bucket creation or location)", n)
	}
	if t.Failed() {
		t.Logf("hosts: %v", strings.Join(buckets, " "))
	}
}
