package rest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

// repoCounter names repositories uniquely within a test binary.
var repoCounter atomic.Int64

// newRepoName returns a fresh repository name on a server.
func newRepoName() string { return fmt.Sprintf("repo%d", repoCounter.Add(1)) }

// config returns the Config of the repository name on srv, with the
// server's account.
func config(t testing.TB, srv *testenv.RESTServer, name string) rest.Config {
	t.Helper()
	cfg, err := rest.ParseLocation(srv.Location(name))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Username, cfg.Password = srv.Username, redact.NewSecret(srv.Password)
	return cfg
}

// open opens the repository name on srv and closes it when the test ends.
func open(t testing.TB, srv *testenv.RESTServer, name string, opts rest.Options) *rest.Backend {
	t.Helper()
	be, err := rest.Open(context.Background(), config(t, srv, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}
