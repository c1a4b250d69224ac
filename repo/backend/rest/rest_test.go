package rest_test

import (
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// TestBackend runs the conformance suite against a real rest-server, each
// subtest in a repository of its own.
func TestBackend(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return open(t, srv, newRepoName(), rest.Options{})
	})
}

// TestBackendRetry runs the conformance suite through the retry layer:
// permanent errors, fn errors and cancellation must pass through it
// without waiting.
func TestBackendRetry(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{PrivateRepos: true})
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		start := time.Now()
		t.Cleanup(func() {
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("subtest took %v: something was retried", d)
			}
		})
		be := open(t, srv, newRepoName(), rest.Options{})
		return retry.New(be, retry.Options{Notify: func(op string, err error, _ time.Duration) {
			t.Errorf("retrying %s after %v", op, err)
		}})
	})
}
