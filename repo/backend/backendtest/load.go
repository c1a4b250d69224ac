package backendtest

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

var loadSizes = []int{0, 1, 17, 4096, 100_003}

func testSaveLoad(t *testing.T, be backend.Backend) {
	r := newRand(1)
	for i, size := range loadSizes {
		data, name := randomFile(r, size)
		h := backend.Handle{Type: fileTypes[i%len(fileTypes)], Name: name}
		save(t, be, h, data)
		checkLoad(t, be, h, data, 0, 0)
		checkLoad(t, be, h, data, size, 0)
	}
}

func testLoadRanges(t *testing.T, be backend.Backend) {
	r := newRand(2)
	pick := rand.New(r)
	for _, size := range loadSizes[1:] {
		data, name := randomFile(r, size)
		h := backend.Handle{Type: backend.PackFile, Name: name}
		save(t, be, h, data)
		n := int64(size)
		ranges := [][2]int64{ // length, offset
			{1, 0}, {1, n - 1}, {0, n - 1}, {0, n / 2}, {n / 3, n / 3}, {n - 1, 1},
		}
		for range 10 {
			off := pick.Int64N(n)
			ranges = append(ranges, [2]int64{pick.Int64N(n-off) + 1, off}, [2]int64{0, off})
		}
		for _, rg := range ranges {
			checkLoad(t, be, h, data, int(rg[0]), rg[1])
		}
	}
}

func testLoadPastEnd(t *testing.T, be backend.Backend) {
	data, name := randomFile(newRand(3), 100)
	h := backend.Handle{Type: backend.PackFile, Name: name}
	save(t, be, h, data)
	for _, rg := range [][2]int64{{101, 0}, {51, 50}, {1, 100}, {0, 101}, {1, 200}} {
		err := be.Load(context.Background(), h, int(rg[0]), rg[1], func(rd io.Reader) error {
			_, err := io.ReadAll(rd)
			return err
		})
		switch {
		case err == nil:
			t.Errorf("load length %d at offset %d of 100 bytes: no error", rg[0], rg[1])
		case !errors.Is(err, backend.ErrShortFile):
			t.Errorf("load length %d at offset %d: %v does not wrap ErrShortFile", rg[0], rg[1], err)
		case !be.IsPermanentError(err):
			t.Errorf("load length %d at offset %d: IsPermanentError(%v) = false", rg[0], rg[1], err)
		case be.IsNotExist(err):
			t.Errorf("load length %d at offset %d: IsNotExist(%v) = true", rg[0], rg[1], err)
		}
	}
}

func testLoadFnError(t *testing.T, be backend.Backend) {
	data, name := randomFile(newRand(4), 1000)
	h := backend.Handle{Type: backend.SnapshotFile, Name: name}
	save(t, be, h, data)
	errFn := errors.New("fn failed")
	err := be.Load(context.Background(), h, 0, 0, func(rd io.Reader) error {
		if _, err := io.CopyN(io.Discard, rd, 10); err != nil {
			return err
		}
		return errFn
	})
	if !errors.Is(err, errFn) {
		t.Errorf("load with failing fn: got %v, want %v", err, errFn)
	}
	// The failed call must not disturb a later one.
	checkLoad(t, be, h, data, 0, 0)
}

func testStat(t *testing.T, be backend.Backend) {
	r := newRand(5)
	for i, size := range loadSizes {
		data, name := randomFile(r, size)
		h := backend.Handle{Type: fileTypes[i%len(fileTypes)], Name: name}
		save(t, be, h, data)
		fi, err := be.Stat(context.Background(), h)
		if err != nil {
			t.Fatalf("stat %v: %v", h, err)
		}
		if fi.Size != int64(size) {
			t.Errorf("stat %v: size %d, want %d", h, fi.Size, size)
		}
	}
}

func testMissing(t *testing.T, be backend.Backend) {
	ctx := context.Background()
	_, name := randomFile(newRand(6), 10)
	handles := []backend.Handle{{Type: backend.ConfigFile}}
	for _, ft := range fileTypes {
		handles = append(handles, backend.Handle{Type: ft, Name: name})
	}
	for _, h := range handles {
		_, err := be.Stat(ctx, h)
		checkNotExist(t, be, "stat "+h.String(), err)
		called := false
		err = be.Load(ctx, h, 0, 0, func(io.Reader) error { called = true; return nil })
		checkNotExist(t, be, "load "+h.String(), err)
		if called {
			t.Errorf("load %v: fn called for a missing file", h)
		}
		checkNotExist(t, be, "remove "+h.String(), be.Remove(ctx, h))
	}
}

func testRemove(t *testing.T, be backend.Backend) {
	ctx := context.Background()
	r := newRand(7)
	for _, ft := range fileTypes {
		data, name := randomFile(r, 50)
		h := backend.Handle{Type: ft, Name: name}
		save(t, be, h, data)
		if err := be.Remove(ctx, h); err != nil {
			t.Fatalf("remove %v: %v", h, err)
		}
		_, err := be.Stat(ctx, h)
		checkNotExist(t, be, "stat removed "+h.String(), err)
		err = be.Load(ctx, h, 0, 0, func(io.Reader) error { return nil })
		checkNotExist(t, be, "load removed "+h.String(), err)
		checkNotExist(t, be, "remove again "+h.String(), be.Remove(ctx, h))
		if got := listAll(t, be, ft); len(got) != 0 {
			t.Errorf("list %v after remove: %v", ft, got)
		}
	}
}
