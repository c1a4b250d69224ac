package sftp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

const testPassword = "sftp-test-password"

// fastKDF keeps key derivation cheap in tests; restic reads such keys.
var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// randomBytes returns n reproducible random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// openLocation opens the restic location loc with srv's key, as the CLI
// would with the location string.
func openLocation(t testing.TB, srv *testenv.SSHD, loc string) backend.Backend {
	t.Helper()
	cfg, err := sftp.ParseLocation(loc)
	if err != nil {
		t.Fatal(err)
	}
	be, err := sftp.Open(context.Background(), cfg, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = be.Close() })
	return be
}

// initAndBackup creates a repository at loc and backs data up as name.
func initAndBackup(t testing.TB, srv *testenv.SSHD, loc, name string, data []byte) *repo.Snapshot {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Init(ctx, openLocation(t, srv, loc), testPassword, repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.BackupStream(ctx, name, bytes.NewReader(data), repo.SnapshotOptions{Host: "sftp-test"})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// readBack opens the repository at loc afresh and returns the content of
// name in its latest snapshot.
func readBack(t testing.TB, srv *testenv.SSHD, loc, name string) []byte {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Open(ctx, openLocation(t, srv, loc), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots of %s: %d, %v; want 1", loc, len(snaps), err)
	}
	rc, err := r.OpenFile(ctx, snaps[0], name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// runRestic runs restic 0.18.1 on the repository at loc, reaching the
// server with its own ssh, and returns its output.
func runRestic(t testing.TB, srv *testenv.SSHD, loc string, stdin io.Reader, args ...string) []byte {
	t.Helper()
	env := []string{"RESTIC_REPOSITORY=" + loc, "RESTIC_PASSWORD=" + testPassword,
		"RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_CACHE_DIR="}
	all := append(append([]string{"--no-cache", "--quiet"}, srv.ResticArgs(t)...), args...)
	cmd := testenv.Command(t, env, t.TempDir(), testenv.Restic(t), all...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestRoundTrip backs up a 20 MiB stream to a repository that does not
// exist yet and reads it back through a new connection.
func TestRoundTrip(t *testing.T) {
	srv := testenv.StartSSHD(t)
	loc := srv.Location(filepath.Join(t.TempDir(), "apps", "app"))
	data := randomBytes(20<<20, 1)
	initAndBackup(t, srv, loc, "databases/app/app.pgdump", data)
	if got := readBack(t, srv, loc, "databases/app/app.pgdump"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}
}

// TestResticReadsOurs: restic 0.18.1, over OpenSSH's ssh, lists, dumps
// and fully checks a repository we wrote.
func TestResticReadsOurs(t *testing.T) {
	srv := testenv.StartSSHD(t)
	loc := srv.Location(filepath.Join(t.TempDir(), "repo"))
	data := randomBytes(20<<20, 2)
	sn := initAndBackup(t, srv, loc, "db/app.sql", data)

	out := runRestic(t, srv, loc, nil, "snapshots", "--json")
	if !bytes.Contains(out, []byte(sn.ID().String())) {
		t.Fatalf("restic snapshots does not list %s:\n%s", sn.ID(), out)
	}
	dump := runRestic(t, srv, loc, nil, "dump", "latest", "/db/app.sql")
	if sha256.Sum256(dump) != sha256.Sum256(data) {
		t.Fatalf("restic dump: %d bytes differing from the %d backed up", len(dump), len(data))
	}
	runRestic(t, srv, loc, nil, "check", "--read-data")
}

// TestWeReadRestic: a repository restic 0.18.1 wrote over SFTP reads back
// byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	srv := testenv.StartSSHD(t)
	loc := srv.Location(filepath.Join(t.TempDir(), "repo"))
	data := randomBytes(20<<20, 3)
	runRestic(t, srv, loc, nil, "init")
	runRestic(t, srv, loc, bytes.NewReader(data), "backup", "--stdin", "--stdin-filename", "app.sql", "--host", "restic-host")
	if got := readBack(t, srv, loc, "app.sql"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}

	ctx := context.Background()
	r, err := repo.Open(ctx, openLocation(t, srv, loc), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	more := append(data[:10<<20:10<<20], randomBytes(5<<20, 4)...)
	if _, err := r.BackupStream(ctx, "app.sql", bytes.NewReader(more), repo.SnapshotOptions{Host: "ours"}); err != nil {
		t.Fatal(err)
	}
	runRestic(t, srv, loc, nil, "check", "--read-data")
	dump := runRestic(t, srv, loc, nil, "dump", "--host", "ours", "latest", "/app.sql")
	if !bytes.Equal(dump, more) {
		t.Fatalf("restic dump of our snapshot differs (%d bytes, want %d)", len(dump), len(more))
	}
}
