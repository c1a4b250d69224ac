package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/backendtest/interoptest"
	"github.com/kamal-backup/kamal-backup/repo/backend/location"
)

const testPassword = "rest-test-password"

// cheapKDF keeps key derivation fast; restic reads such keys.
var cheapKDF = interoptest.FastKDF

// randomBytes returns n reproducible random bytes.
var randomBytes = interoptest.RandomData

// envLookup returns a location.Lookup over KEY=VALUE pairs.
func envLookup(env []string) location.Lookup {
	return func(name string) (string, bool) {
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok && k == name {
				return v, true
			}
		}
		return "", false
	}
}

// openLocation opens loc as the CLI does: location.OpenWithEnv, with the
// server's account in RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD.
func openLocation(t testing.TB, srv *testenv.RESTServer, loc string) backend.Backend {
	t.Helper()
	be, err := location.OpenWithEnv(context.Background(), loc, envLookup(srv.Env()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// restic runs the pinned restic 0.18.1 on the repository name of srv, with
// the credentials in the URL, and returns its standard output.
func restic(t testing.TB, srv *testenv.RESTServer, name string, stdin []byte, args ...string) []byte {
	t.Helper()
	rst := interoptest.Restic{Repository: srv.LocationWithCredentials(name), Password: testPassword}
	return rst.Run(t, bytes.NewReader(stdin), args...)
}

// TestRoundTripWithRestic backs 20 MiB up to a rest-server and reads it
// back, lets restic 0.18.1 list, dump and check it, and reads back what
// restic wrote on the same server.
func TestRoundTripWithRestic(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	data := randomBytes(20<<20, 1)

	interoptest.InitAndBackup(t, openLocation(t, srv, srv.Location("ours")), testPassword, "rest-test", "db/dump.sql", data)
	if _, got := interoptest.ReadBack(t, openLocation(t, srv, srv.Location("ours")), testPassword, "db/dump.sql"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want the %d bytes written", len(got), len(data))
	}

	var snaps []struct {
		Hostname string   `json:"hostname"`
		Paths    []string `json:"paths"`
	}
	if err := json.Unmarshal(restic(t, srv, "ours", nil, "snapshots", "--json"), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].Hostname != "rest-test" {
		t.Fatalf("restic snapshots: %+v", snaps)
	}
	if got := restic(t, srv, "ours", nil, "dump", "latest", "/db/dump.sql"); !bytes.Equal(got, data) {
		t.Errorf("restic dump: %d bytes, want the %d written", len(got), len(data))
	}
	restic(t, srv, "ours", nil, "check", "--read-data")

	theirs := randomBytes(20<<20, 2)
	restic(t, srv, "theirs", nil, "init")
	restic(t, srv, "theirs", theirs, "backup", "--stdin", "--stdin-filename", "dump.sql", "-q")
	if _, got := interoptest.ReadBack(t, openLocation(t, srv, srv.Location("theirs")), testPassword, "dump.sql"); !bytes.Equal(got, theirs) {
		t.Errorf("read restic's backup: %d bytes, want %d", len(got), len(theirs))
	}
}

// TestAppendOnly backs up through an append-only rest-server, then lets
// prune run there: the server refuses the deletes, Prune says so, and the
// repository stays intact for restic check.
func TestAppendOnly(t *testing.T) {
	ao := testenv.StartRESTServer(t, testenv.RESTServerOpts{AppendOnly: true})
	admin := testenv.StartRESTServer(t, testenv.RESTServerOpts{Dir: ao.Dir}) // same data, deletes allowed
	ctx := context.Background()

	r := interoptest.Init(t, openLocation(t, ao, ao.Location("r")), testPassword)
	var ids []repo.ID
	for i := range 3 {
		// Locks may be deleted on an append-only server.
		lock, lctx, err := r.Lock(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		sn, err := r.BackupStream(lctx, "dump.sql", bytes.NewReader(randomBytes(6<<20, byte(10+i))), repo.SnapshotOptions{})
		if err != nil {
			t.Fatalf("backup %d on an append-only server: %v", i, err)
		}
		if err := lock.Unlock(); err != nil {
			t.Fatalf("unlock on an append-only server: %v", err)
		}
		ids = append(ids, sn.ID())
	}

	// Forgetting is refused there too; done through the other server.
	err := r.Forget(ctx, ids[:1])
	if err == nil || !strings.Contains(err.Error(), "refused to delete") {
		t.Errorf("forget on the append-only server: %v", err)
	}
	ra, err := repo.Open(ctx, openLocation(t, admin, admin.Location("r")), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ra.Forget(ctx, ids[:2]); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	res, err := r.Prune(ctx, repo.PruneOptions{MaxUnused: "0%"})
	if err == nil {
		t.Fatalf("prune on an append-only server succeeded: %+v", res)
	}
	t.Logf("prune: %v", err)
	if !strings.Contains(err.Error(), "refused to delete") || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("prune error does not say the server refused the delete: %v", err)
	}
	if strings.Contains(err.Error(), ao.Password) {
		t.Errorf("prune error holds the password")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("prune took %v to fail: refused deletes were retried", d)
	}
	out := restic(t, admin, "r", nil, "check", "--read-data")
	if !bytes.Contains(out, []byte("no errors were found")) {
		t.Errorf("restic check:\n%s", out)
	}
	var snaps []json.RawMessage
	json.Unmarshal(restic(t, admin, "r", nil, "snapshots", "--json"), &snaps)
	if len(snaps) != 1 {
		t.Errorf("%d snapshots after forget, want 1", len(snaps))
	}
}

// TestWrongPassword fails fast, with a permanent error that names the
// repository without the password, for a password in the URL and in the
// environment.
func TestWrongPassword(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	ctx := context.Background()
	const wrong = "wrong-Pa55word"
	withURL := strings.Replace(srv.Location("r"), "://", "://"+srv.Username+":"+wrong+"@", 1)
	for _, tc := range []struct {
		loc string
		env []string
	}{
		{withURL, srv.Env()}, // the URL wins over the environment
		{srv.Location("r"), []string{"RESTIC_REST_USERNAME=" + srv.Username, "RESTIC_REST_PASSWORD=" + wrong}},
	} {
		be, err := location.OpenWithEnv(ctx, tc.loc, envLookup(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = repo.Init(ctx, be, testPassword, repo.InitOptions{KDF: cheapKDF})
		if err == nil {
			t.Fatal("init with a wrong password succeeded")
		}
		t.Logf("init: %v", err)
		if time.Since(start) > 2*time.Second {
			t.Errorf("took %v: a 401 was retried", time.Since(start))
		}
		if !be.IsPermanentError(err) || !errors.Is(err, os.ErrPermission) {
			t.Errorf("not a permanent permission error: %v", err)
		}
		msg := err.Error()
		if strings.Contains(msg, wrong) || strings.Contains(msg, srv.Password) {
			t.Errorf("error holds a password: %v", err)
		}
		if !strings.Contains(msg, "401") || !strings.Contains(msg, strings.TrimSuffix(srv.URL, "/")[len("http://"):]+"/r/") {
			t.Errorf("error does not name the status and repository: %v", err)
		}
		if _, err := repo.Open(ctx, be, testPassword, repo.Options{}); err == nil || strings.Contains(err.Error(), wrong) {
			t.Errorf("open: %v", err)
		}
	}
}
