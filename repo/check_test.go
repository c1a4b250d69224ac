package repo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

const checkPassword = "secret"

// newCheckRepo creates a repository in a temporary directory (or in
// memory when inMemory is set) holding two snapshots of a few MiB in 1 MiB packs.
func newCheckRepo(t testing.TB, version uint, inMemory bool) (*Repository, string) {
	t.Helper()
	var (
		be  backend.Backend = mem.New()
		dir string
	)
	if !inMemory {
		dir = t.TempDir()
		be = checkLocal(t, dir)
	}
	r, err := Init(t.Context(), be, checkPassword, InitOptions{Version: version, KDF: KDFParams{N: 1024, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range uint64(2) {
		data := append(checkRandom(3<<20, i), bytes.Repeat([]byte("INSERT INTO t VALUES (42);\n"), 40000*int(i+1))...)
		opts := SnapshotOptions{Host: "h", Writer: WriterOptions{PackSize: 1 << 20}}
		if _, err := r.BackupStream(t.Context(), "databases/app/db.sql", bytes.NewReader(data), opts); err != nil {
			t.Fatal(err)
		}
	}
	return r, dir
}

// checkOpen opens the repository in dir afresh, so no cached index hides a
// fault injected on disk.
func checkOpen(t testing.TB, dir string) *Repository {
	t.Helper()
	r, err := Open(t.Context(), checkLocal(t, dir), checkPassword, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkLocal opens the local backend for dir.
func checkLocal(t testing.TB, dir string) *local.Local {
	t.Helper()
	be, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return be
}

func checkRandom(n int, seed uint64) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{byte(seed), 7}).Read(b)
	return b
}

// checkMust runs Check and fails the test on a returned error.
func checkMust(t testing.TB, r *Repository, opts CheckOptions) *CheckResult {
	t.Helper()
	res, err := r.Check(t.Context(), opts)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return res
}

// checkAssertClean fails the test if res has errors or hints.
func checkAssertClean(t testing.TB, res *CheckResult) {
	t.Helper()
	if !res.OK() || len(res.Hints) > 0 {
		t.Fatalf("errors %v\nhints %v", res.Errors, res.Hints)
	}
}

// checkIssueKinds returns the kinds of issues, in order.
func checkIssueKinds(is []CheckIssue) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Kind)
	}
	return out
}

func TestCheckHealthy(t *testing.T) {
	for _, version := range []uint{1, 2} {
		r, _ := newCheckRepo(t, version, true)
		res := checkMust(t, r, CheckOptions{ReadData: true})
		checkAssertClean(t, res)
		idx, _ := r.index(t.Context())
		var bytes int64
		for _, pid := range idx.PackIDs() {
			n, _ := idx.PackSize(pid)
			bytes += n
		}
		if res.SnapshotsChecked != 2 || res.TreesChecked != 6 || res.PacksRead != idx.NumPacks() || res.BytesRead != bytes {
			t.Errorf("v%d: %d snapshots, %d trees, %d/%d packs, %d/%d bytes", version, res.SnapshotsChecked,
				res.TreesChecked, res.PacksRead, idx.NumPacks(), res.BytesRead, bytes)
		}
		// At least two data packs (6 MiB of random data in 1 MiB packs, whatever
		// the random chunker polynomial cuts) and a tree pack.
		if idx.NumPacks() < 3 || res.Duration < 0 {
			t.Errorf("v%d: %d packs, duration %v", version, idx.NumPacks(), res.Duration)
		}
		if res := checkMust(t, r, CheckOptions{}); res.PacksRead != 0 || !res.OK() {
			t.Errorf("v%d without read-data: %+v", version, res)
		}
	}
}

func TestCheckResultJSON(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	res := checkMust(t, r, CheckOptions{NoLock: true})
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"errors":[]`, `"hints":[]`, `"broken_packs":[]`, `"snapshots_checked":2`, `"trees_checked":6`,
		`"packs_read":0`, `"bytes_read":0`, `"duration_ns":`, `"suggest_repair_index":false`, `"suggest_prune":false`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("JSON lacks %s: %s", key, js)
		}
	}
	js, _ = json.Marshal(CheckIssue{Kind: IssuePackMissing, Message: "m", File: "data/00/00", Snapshots: []string{"s"}})
	if want := `{"kind":"pack_missing","message":"m","file":"data/00/00","snapshots":["s"]}`; string(js) != want {
		t.Errorf("issue JSON %s, want %s", js, want)
	}
}

func TestCheckOptionErrors(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	for _, opts := range []CheckOptions{{ReadData: true, ReadDataSubset: "1/2"}, {ReadDataSubset: "0/2"}, {ReadDataSubset: "12"}} {
		if _, err := r.Check(t.Context(), opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}

func TestCheckCancelled(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if res, err := r.Check(ctx, CheckOptions{ReadData: true, NoLock: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %+v, %v", res, err)
	}
}

// checkFlakyBackend fails every Load of a pack with a transient error.
type checkFlakyBackend struct{ backend.Backend }

var errCheckFlaky = errors.New("connection reset by peer")

func (f checkFlakyBackend) Load(ctx context.Context, h backend.Handle, n int, off int64, fn func(io.Reader) error) error {
	if h.Type == backend.PackFile {
		return errCheckFlaky
	}
	return f.Backend.Load(ctx, h, n, off, fn)
}

func TestCheckBackendFailureIsReturned(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	r2, err := Open(t.Context(), checkFlakyBackend{r.be}, checkPassword, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r2.Check(t.Context(), CheckOptions{NoLock: true}); !errors.Is(err, errCheckFlaky) {
		t.Fatalf("got %+v, %v; want the backend error", res, err)
	}
}

// checkCutBackend ends every download of a whole pack after 100 bytes, like a
// dropped connection.
type checkCutBackend struct{ backend.Backend }

func (c checkCutBackend) Load(ctx context.Context, h backend.Handle, n int, off int64, fn func(io.Reader) error) error {
	return c.Backend.Load(ctx, h, n, off, func(rd io.Reader) error {
		if h.Type == backend.PackFile && n == 0 && off == 0 {
			rd = io.LimitReader(rd, 100)
		}
		return fn(rd)
	})
}

// A download that ends early is a failure to check, not damage.
func TestCheckShortDownloadIsReturned(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	r2, err := Open(t.Context(), checkCutBackend{r.be}, checkPassword, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r2.Check(t.Context(), CheckOptions{ReadData: true}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %+v, %v; want a short read error", res, err)
	}
}

func TestCheckLocks(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	lock, _, err := r.Lock(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Check(t.Context(), CheckOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Check while locked: %v", err)
	}
	checkAssertClean(t, checkMust(t, r, CheckOptions{NoLock: true}))
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
	checkAssertClean(t, checkMust(t, r, CheckOptions{}))
	if locks, err := r.Locks(t.Context()); err != nil || len(locks) != 0 {
		t.Fatalf("locks left behind: %v %v", locks, err)
	}
}
