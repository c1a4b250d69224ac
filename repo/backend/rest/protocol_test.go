package rest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

// TestProtocol checks the requests of every operation against the fact
// sheet: paths without data subdirectories, the v2 Accept header, basic
// authentication, Content-Length uploads and inclusive Range headers.
func TestProtocol(t *testing.T) {
	f := &fakeServer{}
	be := startFake(t, f, rest.Options{})
	ctx := context.Background()
	if err := be.Create(ctx); err != nil {
		t.Fatal(err)
	}
	data := []byte("hello, pack")
	h := backend.Handle{Type: backend.PackFile, Name: sha(data)}
	if err := be.Save(ctx, h, backend.NewByteReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := load(be, h, 0, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := load(be, h, 4, 2); err != nil || string(got) != "llo," {
		t.Fatalf("load 4 at 2: %q, %v", got, err)
	}
	if got, err := load(be, h, 0, 7); err != nil || string(got) != "pack" {
		t.Fatalf("load from 7: %q, %v", got, err)
	}
	if fi, err := be.Stat(ctx, h); err != nil || fi.Size != int64(len(data)) {
		t.Fatalf("stat: %v %v", fi, err)
	}
	var listed []backend.FileInfo
	if err := be.List(ctx, backend.PackFile, func(fi backend.FileInfo) error { listed = append(listed, fi); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].Name != h.Name || listed[0].Size != int64(len(data)) {
		t.Errorf("list: %v", listed)
	}
	if err := be.Remove(ctx, h); err != nil {
		t.Fatal(err)
	}

	want := []struct{ method, path, query, rng string }{
		{"HEAD", "/repo/config", "", ""},
		{"POST", "/repo/", "create=true", ""},
		{"POST", "/repo/data/" + h.Name, "", ""},
		{"GET", "/repo/data/" + h.Name, "", ""},
		{"GET", "/repo/data/" + h.Name, "", "bytes=2-5"},
		{"GET", "/repo/data/" + h.Name, "", "bytes=7-"},
		{"HEAD", "/repo/data/" + h.Name, "", ""},
		{"GET", "/repo/data/", "", ""},
		{"HEAD", "/repo/data/" + h.Name, "", ""},
		{"DELETE", "/repo/data/" + h.Name, "", ""},
	}
	got := f.take()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		r := got[i]
		if r.Method != w.method || r.Path != w.path || r.Query != w.query || r.Header.Get("Range") != w.rng {
			t.Errorf("request %d: %s %s?%s Range %q, want %s %s?%s Range %q", i, r.Method, r.Path, r.Query,
				r.Header.Get("Range"), w.method, w.path, w.query, w.rng)
		}
		if a := r.Header.Get("Accept"); a != "application/vnd.x.restic.rest.v2" {
			t.Errorf("request %d: Accept %q", i, a)
		}
		req := http.Request{Header: r.Header}
		if u, p, ok := req.BasicAuth(); !ok || u != "u" || p != fakePassword {
			t.Errorf("request %d: basic auth %q %q %v", i, u, p, ok)
		}
	}
	save := got[2]
	if save.ContentLength != int64(len(data)) || len(save.TransferEncoding) != 0 ||
		save.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("save: Content-Length %d, Transfer-Encoding %v, Content-Type %q", save.ContentLength,
			save.TransferEncoding, save.Header.Get("Content-Type"))
	}
}

// TestListV1 checks a server answering version 1 listings: names only,
// then a HEAD per file for its size; invalid names are skipped.
func TestListV1(t *testing.T) {
	f := &fakeServer{v1: true}
	be := startFake(t, f, rest.Options{})
	a, b := []byte("a"), []byte("bb")
	f.files["/repo/keys/"+sha(a)] = a
	f.files["/repo/keys/"+sha(b)] = b
	f.files["/repo/keys/junk"] = b
	got := map[string]int64{}
	err := be.List(context.Background(), backend.KeyFile, func(fi backend.FileInfo) error { got[fi.Name] = fi.Size; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[sha(a)] != 1 || got[sha(b)] != 2 {
		t.Errorf("listed %v", got)
	}
	heads := 0
	for _, r := range f.take() {
		if r.Method == http.MethodHead {
			heads++
		}
	}
	if heads != 2 {
		t.Errorf("%d HEAD requests, want 2", heads)
	}
	// A missing directory (404) lists as empty.
	if err := be.List(context.Background(), backend.LockFile, func(backend.FileInfo) error {
		t.Error("fn called")
		return nil
	}); err != nil {
		t.Errorf("list of a missing directory: %v", err)
	}
}

// TestLoadServerIgnoresRange reads ranges from a server that always
// answers 200 with the whole file.
func TestLoadServerIgnoresRange(t *testing.T) {
	f := &fakeServer{noRange: true}
	be := startFake(t, f, rest.Options{})
	data := []byte("0123456789")
	h := backend.Handle{Type: backend.IndexFile, Name: sha(data)}
	f.files["/repo/index/"+h.Name] = data
	for _, tc := range []struct {
		length int
		offset int64
		want   string
	}{{3, 2, "234"}, {0, 8, "89"}, {10, 0, "0123456789"}} {
		got, err := load(be, h, tc.length, tc.offset)
		if err != nil || string(got) != tc.want {
			t.Errorf("load %d at %d: %q, %v; want %q", tc.length, tc.offset, got, err, tc.want)
		}
	}
	for _, rg := range [][2]int64{{3, 8}, {1, 10}, {0, 11}} {
		if _, err := load(be, h, int(rg[0]), rg[1]); !errors.Is(err, backend.ErrShortFile) || !be.IsPermanentError(err) {
			t.Errorf("load %d at %d: %v, want a permanent ErrShortFile", rg[0], rg[1], err)
		}
	}
}
