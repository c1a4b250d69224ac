package interoptest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Remote is one repository location that both this module and restic
// reach; the repository need not exist yet.
type Remote struct {
	// Open returns a new connection to the location; the test closes it.
	Open func(t testing.TB) backend.Backend
	// Restic runs restic on the same location; its Password is the
	// repository password for both sides.
	Restic Restic
	// Host is the host name recorded in the snapshots we write.
	Host string
}

// RoundTrip backs up a 20 MiB stream to rem, which does not exist yet,
// and reads it back through a new connection.
func RoundTrip(t *testing.T, rem Remote) {
	data := RandomData(20<<20, 1)
	InitAndBackup(t, rem.Open(t), rem.Restic.Password, rem.Host, "databases/app/app.pgdump", data)
	if _, got := ReadBack(t, rem.Open(t), rem.Restic.Password, "databases/app/app.pgdump"); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}
}

// ResticReadsOurs checks that restic lists, dumps and fully checks a
// repository we wrote to rem.
func ResticReadsOurs(t *testing.T, rem Remote) {
	data := RandomData(20<<20, 2)
	sn := InitAndBackup(t, rem.Open(t), rem.Restic.Password, rem.Host, "db/app.sql", data)

	out := rem.Restic.Run(t, nil, "snapshots", "--json")
	if !bytes.Contains(out, []byte(sn.ID().String())) {
		t.Fatalf("restic snapshots does not list %s:\n%s", sn.ID(), out)
	}
	dump := rem.Restic.Run(t, nil, "dump", "latest", "/db/app.sql")
	if sha256.Sum256(dump) != sha256.Sum256(data) {
		t.Fatalf("restic dump: %d bytes differing from the %d backed up", len(dump), len(data))
	}
	rem.Restic.Run(t, nil, "check", "--read-data")
}

// WeReadRestic checks that a repository restic wrote to rem reads back
// byte for byte, and that a backup we add to it passes restic check and
// dumps back through restic.
func WeReadRestic(t *testing.T, rem Remote) {
	data := RandomData(20<<20, 3)
	rem.Restic.Run(t, nil, "init")
	rem.Restic.Run(t, bytes.NewReader(data), "backup", "--stdin", "--stdin-filename", "app.sql", "--host", "restic-host")
	r, got := ReadBack(t, rem.Open(t), rem.Restic.Password, "app.sql")
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(data))
	}

	more := append(data[:10<<20:10<<20], RandomData(5<<20, 4)...)
	if _, err := r.BackupStream(context.Background(), "app.sql", bytes.NewReader(more), repo.SnapshotOptions{Host: "ours"}); err != nil {
		t.Fatal(err)
	}
	rem.Restic.Run(t, nil, "check", "--read-data")
	dump := rem.Restic.Run(t, nil, "dump", "--host", "ours", "latest", "/app.sql")
	if !bytes.Equal(dump, more) {
		t.Fatalf("restic dump of our snapshot differs (%d bytes, want %d)", len(dump), len(more))
	}
}
