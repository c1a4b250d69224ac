package rest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
	"github.com/kamal-backup/kamal-backup/repo/backend/retry"
)

// envFullFaultRun set to 1 makes TestFaultInjection back up 1 GiB, as the
// acceptance criteria ask, instead of 256 MiB.
const envFullFaultRun = "KAMAL_BACKUP_FULL"

func faultStreamSize() int64 {
	switch {
	case os.Getenv(envFullFaultRun) == "1":
		return 1 << 30
	case testing.Short():
		return 32 << 20
	}
	return 256 << 20
}

// randomStream yields n reproducible random bytes and hashes them.
type randomStream struct {
	rng  *rand.ChaCha8
	left int64
	sum  hash.Hash
	// onRead, if set, is called with the number of bytes yielded so far.
	onRead func(total int64)
	total  int64
}

func newRandomStream(n int64, seed byte) *randomStream {
	return &randomStream{rng: rand.NewChaCha8([32]byte{seed}), left: n, sum: sha256.New()}
}

func (s *randomStream) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.left)]
	s.rng.Read(p)
	s.sum.Write(p)
	s.left -= int64(len(p))
	s.total += int64(len(p))
	if s.onRead != nil {
		s.onRead(s.total)
	}
	return len(p), nil
}

func (s *randomStream) hex() string { return hex.EncodeToString(s.sum.Sum(nil)) }

// TestFaultInjection backs up a large stream through a proxy that resets
// connections, stalls, hangs and answers 500/503 at random, then reads it
// back through the same proxy: the backup completes, restic check
// --read-data passes, restic and we read back every byte, and the server
// holds no damaged or stray file.
func TestFaultInjection(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	proxy := startFaultProxy(t, srv.URL, 20250101, 0.3)
	proxy.hang = 4 * time.Second
	ctx := context.Background()
	cfg, err := rest.ParseLocation("rest:" + proxy.URL + "faults/")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Username, cfg.Password = srv.Username, redact.NewSecret(srv.Password)
	inner, err := rest.Open(ctx, cfg, rest.Options{StallTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var retries atomic.Int64
	be := retry.New(inner, retry.Options{
		Initial: 20 * time.Millisecond, MaxInterval: 500 * time.Millisecond, MaxElapsed: 2 * time.Minute,
		Notify: func(op string, err error, wait time.Duration) {
			if n := retries.Add(1); n <= 15 {
				t.Logf("retry %d: %s: %v", n, op, err)
			}
			if strings.Contains(err.Error(), srv.Password) {
				t.Errorf("error holds the password: %v", err)
			}
		},
	})

	size := faultStreamSize()
	r, err := repo.Init(ctx, be, testPassword, repo.InitOptions{KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	lock, lctx, err := r.Lock(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	src := newRandomStream(size, 7)
	start := time.Now()
	// Small packs: more uploads to disturb.
	opts := repo.SnapshotOptions{Host: "faults", Writer: repo.WriterOptions{PackSize: 4 << 20}}
	if _, err := r.BackupStream(lctx, "dump.sql", src, opts); err != nil {
		t.Fatalf("backup through the faulty proxy: %v", err)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	summary, faults := proxy.summary()
	t.Logf("backup of %d MiB in %v with %d retries; %s", size>>20, time.Since(start).Round(time.Millisecond), retries.Load(), summary)
	if faults < 5 {
		t.Errorf("only %d faults injected", faults)
	}

	restic(t, srv, "faults", nil, "check", "--read-data")
	if got := resticDumpHash(t, srv, "faults", "/dump.sql"); got != src.hex() {
		t.Errorf("restic dump: SHA-256 %s, want %s", got, src.hex())
	}

	// Read back through the faults: Load retries on broken bodies.
	r2, err := repo.Open(ctx, be, testPassword, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r2.Snapshots(ctx, repo.Filter{})
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %d, %v", len(snaps), err)
	}
	rc, err := r2.OpenFile(ctx, snaps[0], "dump.sql")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatalf("read back through the faulty proxy: %v", err)
	}
	rc.Close()
	if got := hex.EncodeToString(h.Sum(nil)); got != src.hex() {
		t.Errorf("read back: SHA-256 %s, want %s", got, src.hex())
	}
	summary, _ = proxy.summary()
	t.Logf("after reading back: %d retries; %s", retries.Load(), summary)

	checkServerFiles(t, filepath.Join(srv.Dir, "faults"))
}

// resticDumpHash returns the SHA-256 of restic dump's output, streamed.
func resticDumpHash(t testing.TB, srv *testenv.RESTServer, name, file string) string {
	t.Helper()
	env := []string{"RESTIC_PASSWORD=" + testPassword, "RESTIC_REPOSITORY=" + srv.LocationWithCredentials(name)}
	cmd := testenv.Command(t, env, "", testenv.Restic(t), "--no-cache", "dump", "latest", file)
	h := sha256.New()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = h, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("restic dump: %v\n%s", err, stderr.String())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkServerFiles checks that every file the server stored, but the
// config, is named by the SHA-256 of its content, and that no lock and no
// temporary file is left.
func checkServerFiles(t testing.TB, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "config" {
			return nil
		}
		n++
		if strings.HasPrefix(rel, "locks"+string(filepath.Separator)) {
			t.Errorf("lock left behind: %s", rel)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		if hex.EncodeToString(h.Sum(nil)) != d.Name() {
			t.Errorf("%s: content does not match its name", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files on the server verified", n)
}

// TestFaultForbidden turns the proxy into one that answers 403 to
// everything in the middle of a backup: with the CLI's retry policy, the
// backup fails within seconds with an error naming the repository and
// the refusal, without the password.
func TestFaultForbidden(t *testing.T) {
	srv := testenv.StartRESTServer(t, testenv.RESTServerOpts{})
	proxy := startFaultProxy(t, srv.URL, 3, 0)
	ctx := context.Background()
	loc := "rest:" + proxy.URL + "r/"
	r, err := repo.Init(ctx, openLocation(t, srv, loc), testPassword, repo.InitOptions{KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	var flipped atomic.Int64 // UnixNano of the switch to 403
	src := newRandomStream(1<<30, 9)
	src.onRead = func(total int64) {
		if total >= 40<<20 && flipped.Load() == 0 {
			flipped.Store(time.Now().UnixNano())
			proxy.forbid.Store(true)
		}
	}
	_, err = r.BackupStream(ctx, "dump.sql", src, repo.SnapshotOptions{})
	if flipped.Load() == 0 {
		t.Fatalf("backup ended before the switch: %v", err)
	}
	took := time.Since(time.Unix(0, flipped.Load()))
	if err == nil {
		t.Fatal("backup succeeded through a proxy answering 403")
	}
	t.Logf("backup failed %v after the switch: %v", took.Round(time.Millisecond), err)
	if took > 5*time.Second {
		t.Errorf("backup took %v to fail after the server started refusing", took)
	}
	msg := err.Error()
	for _, want := range []string{"403 Forbidden", strings.TrimPrefix(proxy.URL, "http://") + "r/"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(msg, srv.Password) {
		t.Errorf("error holds the password: %v", err)
	}

	start := time.Now()
	_, err = repo.Open(ctx, openLocation(t, srv, loc), testPassword, repo.Options{})
	if err == nil || !strings.Contains(err.Error(), "403") || time.Since(start) > 5*time.Second {
		t.Errorf("open through the 403 proxy: %v after %v", err, time.Since(start))
	}
}
