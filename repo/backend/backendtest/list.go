package backendtest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

func testListEmpty(t *testing.T, be backend.Backend) {
	for _, ft := range fileTypes {
		if got := listAll(t, be, ft); len(got) != 0 {
			t.Errorf("list %v of an empty backend: %v", ft, got)
		}
	}
}

// saveMany stores n random files of type ft and returns their sizes by name.
func saveMany(tb testing.TB, be backend.Backend, ft backend.FileType, n int, seed uint64) map[string]int64 {
	tb.Helper()
	r := newRand(seed)
	want := make(map[string]int64)
	for i := range n {
		data, name := randomFile(r, 1+i*13)
		save(tb, be, backend.Handle{Type: ft, Name: name}, data)
		want[name] = int64(len(data))
	}
	return want
}

func checkList(tb testing.TB, be backend.Backend, ft backend.FileType, want map[string]int64) {
	tb.Helper()
	got := listAll(tb, be, ft)
	for name, size := range want {
		if gs, ok := got[name]; !ok {
			tb.Errorf("list %v: %s missing", ft, name)
		} else if gs != size {
			tb.Errorf("list %v: %s has size %d, want %d", ft, name, gs, size)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			tb.Errorf("list %v: unexpected %q", ft, name)
		}
	}
}

func testList(t *testing.T, be backend.Backend) {
	save(t, be, backend.Handle{Type: backend.ConfigFile}, []byte("config"))
	want := make(map[backend.FileType]map[string]int64)
	for i, ft := range fileTypes {
		n := 3
		if ft == backend.PackFile {
			n = 300 // spread over most of data/00 .. data/ff
		}
		want[ft] = saveMany(t, be, ft, n, uint64(100+i))
	}
	for _, ft := range fileTypes {
		checkList(t, be, ft, want[ft])
	}
}

// testListInvalidNames saves files whose names are not IDs where the
// backend accepts them at all, and checks that listings skip them.
func testListInvalidNames(t *testing.T, be backend.Backend) {
	valid := strings.Repeat("ab", 32)
	names := []string{
		"foo",
		strings.ToUpper(strings.Repeat("cd", 32)),
		strings.Repeat("e", 63),
		strings.Repeat("f", 65),
		valid + "-tmp-123456",
	}
	for _, ft := range []backend.FileType{backend.KeyFile, backend.PackFile} {
		for _, name := range names {
			h := backend.Handle{Type: ft, Name: name}
			err := be.Save(context.Background(), h, backend.NewByteReader([]byte("junk")))
			if err != nil {
				t.Logf("backend refuses %v: %v", h, err)
			}
		}
		want := saveMany(t, be, ft, 2, 200)
		checkList(t, be, ft, want)
	}
}

func testListFnError(t *testing.T, be backend.Backend) {
	saveMany(t, be, backend.LockFile, 5, 300)
	errStop := errors.New("stop")
	calls := 0
	err := be.List(context.Background(), backend.LockFile, func(backend.FileInfo) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) || calls != 1 {
		t.Errorf("list with failing fn: err %v after %d calls, want %v after 1", err, calls, errStop)
	}
}

func testListCancel(t *testing.T, be backend.Backend) {
	saveMany(t, be, backend.PackFile, 20, 400)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	err := be.List(ctx, backend.PackFile, func(backend.FileInfo) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("list with canceled context: err %v after %d calls, want context.Canceled after 0", err, calls)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls = 0
	err = be.List(ctx, backend.PackFile, func(backend.FileInfo) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("list canceled in fn: err %v after %d calls, want context.Canceled after 1", err, calls)
	}
}
