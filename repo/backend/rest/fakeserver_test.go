package rest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

// fakeServer is a minimal REST server that records every request. It
// lists in version 1 when v1 is set and ignores Range headers when
// noRange is set.
type fakeServer struct {
	mu       sync.Mutex
	files    map[string][]byte // by URL path
	requests []recorded
	v1       bool
	noRange  bool
	status   int // if set, every request gets this status
}

type recorded struct {
	Method, Path, Query string
	Header              http.Header
	ContentLength       int64
	TransferEncoding    []string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), r.ContentLength, r.TransferEncoding})
	if f.status != 0 {
		http.Error(w, "fake failure", f.status)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.RawQuery == "create=true":
	case r.Method == http.MethodPost:
		f.files[r.URL.Path] = body
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/"):
		f.list(w, r.URL.Path)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		data, ok := f.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if f.noRange {
			r.Header.Del("Range")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	case r.Method == http.MethodDelete:
		delete(f.files, r.URL.Path)
	}
}

func (f *fakeServer) list(w http.ResponseWriter, dir string) {
	type entry struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	var v2 []entry
	var v1 []string
	for p, data := range f.files {
		if name, ok := strings.CutPrefix(p, dir); ok && !strings.Contains(name, "/") {
			v2 = append(v2, entry{name, len(data)})
			v1 = append(v1, name)
		}
	}
	if len(v1) == 0 {
		http.NotFound(w, nil)
		return
	}
	if f.v1 {
		w.Header().Set("Content-Type", "application/vnd.x.restic.rest.v1")
		json.NewEncoder(w).Encode(v1)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.x.restic.rest.v2")
	json.NewEncoder(w).Encode(v2)
}

func (f *fakeServer) take() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// startFake serves f and returns a backend for its /repo/ path with user
// "u" and password "pass:word/secret".
func startFake(t *testing.T, f *fakeServer, opts rest.Options) *rest.Backend {
	t.Helper()
	if f.files == nil {
		f.files = map[string][]byte{}
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg, err := rest.ParseLocation("rest:" + strings.Replace(srv.URL, "://", "://u:"+url.QueryEscape(fakePassword)+"@", 1) + "/repo")
	if err != nil {
		t.Fatal(err)
	}
	be, err := rest.Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

const fakePassword = "pass:word/secret"

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func load(be backend.Backend, h backend.Handle, length int, offset int64) ([]byte, error) {
	var got []byte
	err := be.Load(context.Background(), h, length, offset, func(rd io.Reader) error {
		var err error
		got, err = io.ReadAll(rd)
		return err
	})
	return got, err
}
