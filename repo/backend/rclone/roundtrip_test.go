package rclone_test

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
)

const testPassword = "rclone-test-password"

// fastKDF keeps key derivation cheap in tests; restic reads such keys.
var fastKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// randomBytes returns n reproducible random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// fixture is a remote shared by kamal-backup and restic in one test.
type fixture struct {
	remote string   // rclone remote, the location without "rclone:"
	env    []string // RCLONE_CONFIG
}

func newFixture(t *testing.T) fixture {
	return fixture{remote: ":local:" + filepath.Join(t.TempDir(), "repo"), env: testEnv(t)}
}

func (f fixture) open(t testing.TB) backend.Backend {
	t.Helper()
	return openRemote(t, f.remote, options(t, f.env))
}

// initAndBackup creates a repository and backs data up as name.
func (f fixture) initAndBackup(t testing.TB, name string, data []byte) *repo.Snapshot {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Init(ctx, f.open(t), testPassword, repo.InitOptions{KDF: fastKDF})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := r.BackupStream(ctx, name, bytes.NewReader(data), repo.SnapshotOptions{Host: "rclone-test"})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// readBack opens the repository afresh and returns the content of name
// in its only snapshot.
func (f fixture) readBack(t testing.TB, name string) []byte {
	t.Helper()
	ctx := context.Background()
	r, err := repo.Open(ctx, f.open(t), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %d, %v; want 1", len(snaps), err)
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

// restic runs restic 0.18.1 on "rclone:<remote>", which starts its own
// rclone, and returns its output.
func (f fixture) restic(t testing.TB, stdin io.Reader, args ...string) []byte {
	t.Helper()
	env := append([]string{"RESTIC_REPOSITORY=rclone:" + f.remote, "RESTIC_PASSWORD=" + testPassword,
		"RESTIC_PASSWORD_FILE=", "RESTIC_PASSWORD_COMMAND=", "RESTIC_CACHE_DIR="}, f.env...)
	all := append([]string{"--no-cache", "--quiet", "-o", "rclone.program=" + testenv.Tool(t, "rclone")}, args...)
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
// exist yet and reads it back through a new rclone.
func TestRoundTrip(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(20<<20, 1)
	f.initAndBackup(t, "databases/app/app.pgdump", data)
	if got := f.readBack(t, "databases/app/app.pgdump"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}
}

// TestResticReadsOurs: restic 0.18.1, through its own rclone, lists,
// dumps and fully checks a repository we wrote.
func TestResticReadsOurs(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(20<<20, 2)
	sn := f.initAndBackup(t, "db/app.sql", data)
	out := f.restic(t, nil, "snapshots", "--json")
	if !bytes.Contains(out, []byte(sn.ID().String())) {
		t.Fatalf("restic snapshots does not list %s:\n%s", sn.ID(), out)
	}
	dump := f.restic(t, nil, "dump", "latest", "/db/app.sql")
	if sha256.Sum256(dump) != sha256.Sum256(data) {
		t.Fatalf("restic dump: %d bytes differing from the %d backed up", len(dump), len(data))
	}
	f.restic(t, nil, "check", "--read-data")
}

// TestWeReadRestic: a repository restic 0.18.1 wrote through rclone reads
// back byte for byte, and a backup we add to it passes restic check.
func TestWeReadRestic(t *testing.T) {
	f := newFixture(t)
	data := randomBytes(20<<20, 3)
	f.restic(t, nil, "init")
	f.restic(t, bytes.NewReader(data), "backup", "--stdin", "--stdin-filename", "app.sql", "--host", "restic-host")
	if got := f.readBack(t, "app.sql"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}

	ctx := context.Background()
	r, err := repo.Open(ctx, f.open(t), testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	more := append(data[:10<<20:10<<20], randomBytes(5<<20, 4)...)
	if _, err := r.BackupStream(ctx, "app.sql", bytes.NewReader(more), repo.SnapshotOptions{Host: "ours"}); err != nil {
		t.Fatal(err)
	}
	f.restic(t, nil, "check", "--read-data")
	dump := f.restic(t, nil, "dump", "--host", "ours", "latest", "/app.sql")
	if !bytes.Equal(dump, more) {
		t.Fatalf("restic dump of our snapshot differs (%d bytes, want %d)", len(dump), len(more))
	}
}
