package backendtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Run runs the conformance suite against backends made by newBackend.
// Every subtest calls newBackend for a fresh, empty backend (a Creator is
// created first) and closes it at the end. newBackend should register its
// own cleanup, for example by using t.TempDir.
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, backend.Backend)
	}{
		{"SaveLoad", testSaveLoad},
		{"LoadRanges", testLoadRanges},
		{"LoadPastEnd", testLoadPastEnd},
		{"LoadFnError", testLoadFnError},
		{"Stat", testStat},
		{"Missing", testMissing},
		{"Remove", testRemove},
		{"Config", testConfig},
		{"LengthMismatch", testLengthMismatch},
		{"SaveCanceled", testSaveCanceled},
		{"Rewind", testRewind},
		{"ListEmpty", testListEmpty},
		{"List", testList},
		{"ListInvalidNames", testListInvalidNames},
		{"ListFnError", testListFnError},
		{"ListCancel", testListCancel},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := newBackend(t)
			if c, ok := be.(backend.Creator); ok {
				if err := c.Create(context.Background()); err != nil {
					t.Fatalf("create: %v", err)
				}
			}
			t.Cleanup(func() {
				if err := be.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, be)
		})
	}
}

// newRand returns a deterministic random source for one subtest.
func newRand(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// randomFile returns size random bytes and their SHA-256 as a file name.
func randomFile(r *rand.ChaCha8, size int) ([]byte, string) {
	data := make([]byte, size)
	_, _ = r.Read(data)
	return data, nameOf(data)
}

// nameOf returns the lowercase hex SHA-256 of data.
func nameOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// save stores data under h and fails the test on error.
func save(tb testing.TB, be backend.Backend, h backend.Handle, data []byte) {
	tb.Helper()
	if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
		tb.Fatalf("save %v: %v", h, err)
	}
}

// loadBytes returns length bytes of h from offset.
func loadBytes(be backend.Backend, h backend.Handle, length int, offset int64) ([]byte, error) {
	var got []byte
	err := be.Load(context.Background(), h, length, offset, func(rd io.Reader) error {
		var err error
		got, err = io.ReadAll(rd)
		return err
	})
	return got, err
}

// checkLoad reports an error unless h's range [offset, offset+length) (to
// the end for length 0) equals the same range of want. It does not stop
// the test, so it may be called from any goroutine.
func checkLoad(tb testing.TB, be backend.Backend, h backend.Handle, want []byte, length int, offset int64) {
	tb.Helper()
	end := int64(len(want))
	if length > 0 {
		end = offset + int64(length)
	}
	got, err := loadBytes(be, h, length, offset)
	if err != nil {
		tb.Errorf("load %v (length %d, offset %d): %v", h, length, offset, err)
		return
	}
	if !bytes.Equal(got, want[offset:end]) {
		tb.Errorf("load %v (length %d, offset %d): got %d bytes, want %d bytes, content differs",
			h, length, offset, len(got), end-offset)
	}
}

// checkNotExist fails the test unless err is a permanent not-exist error.
func checkNotExist(tb testing.TB, be backend.Backend, op string, err error) {
	tb.Helper()
	switch {
	case err == nil:
		tb.Errorf("%s: no error for a missing file", op)
	case !be.IsNotExist(err):
		tb.Errorf("%s: IsNotExist(%v) = false", op, err)
	case !be.IsPermanentError(err):
		tb.Errorf("%s: IsPermanentError(%v) = false", op, err)
	}
}

// listAll returns the files of type t by name and fails on duplicates.
func listAll(tb testing.TB, be backend.Backend, t backend.FileType) map[string]int64 {
	tb.Helper()
	got := make(map[string]int64)
	err := be.List(context.Background(), t, func(fi backend.FileInfo) error {
		if _, dup := got[fi.Name]; dup {
			tb.Errorf("list %v: %s listed twice", t, fi.Name)
		}
		got[fi.Name] = fi.Size
		return nil
	})
	if err != nil {
		tb.Fatalf("list %v: %v", t, err)
	}
	return got
}

// fileTypes are the types List returns files for.
var fileTypes = []backend.FileType{
	backend.KeyFile, backend.LockFile, backend.SnapshotFile, backend.IndexFile, backend.PackFile,
}
