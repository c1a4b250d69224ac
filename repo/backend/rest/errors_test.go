package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

// TestStatusErrors maps status codes to permanent and transient errors.
func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		code      int
		permanent bool
		notExist  bool
		text      string
	}{
		{http.StatusNotFound, true, true, "does not exist"},
		{http.StatusUnauthorized, true, false, "check the user name and password"},
		{http.StatusForbidden, true, false, "403 Forbidden"},
		{http.StatusInsufficientStorage, true, false, "out of space"},
		{http.StatusInternalServerError, false, false, "500 Internal Server Error"},
		{http.StatusServiceUnavailable, false, false, "503 Service Unavailable"},
		{http.StatusTooManyRequests, false, false, "429"},
		{http.StatusBadRequest, false, false, "400"},
	} {
		f := &fakeServer{status: tc.code}
		be := startFake(t, f, rest.Options{})
		data := []byte("x")
		h := backend.Handle{Type: backend.SnapshotFile, Name: sha(data)}
		errs := []error{be.Save(context.Background(), h, backend.NewByteReader(data))}
		_, err := be.Stat(context.Background(), h)
		errs = append(errs, err)
		_, err = load(be, h, 0, 0)
		errs = append(errs, err)
		errs = append(errs, be.List(context.Background(), backend.SnapshotFile, func(backend.FileInfo) error { return nil }))
		for i, err := range errs {
			if tc.code == http.StatusNotFound && i == 3 {
				if err != nil {
					t.Errorf("list with 404: %v", err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%d: op %d: no error", tc.code, i)
				continue
			}
			if be.IsPermanentError(err) != tc.permanent || be.IsNotExist(err) != tc.notExist {
				t.Errorf("%d: op %d: %v: permanent %v, not exist %v", tc.code, i, err, be.IsPermanentError(err), be.IsNotExist(err))
			}
			// HEAD answers have no body to carry the text.
			if i != 1 && !strings.Contains(err.Error(), tc.text) {
				t.Errorf("%d: op %d: %q lacks %q", tc.code, i, err, tc.text)
			}
			if strings.Contains(err.Error(), "word/secret") || strings.Contains(err.Error(), "word%2Fsecret") {
				t.Errorf("%d: error leaks credentials: %v", tc.code, err)
			}
		}
	}
}

// TestAppendOnlyRemoveMessage checks the wording of a refused delete.
func TestAppendOnlyRemoveMessage(t *testing.T) {
	data := []byte("x")
	h := backend.Handle{Type: backend.PackFile, Name: sha(data)}
	f := &fakeServer{files: map[string][]byte{"/repo/data/" + h.Name: data}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg, _ := rest.ParseLocation("rest:" + srv.URL + "/repo/")
	be, _ := rest.Open(context.Background(), cfg, rest.Options{})
	err := be.Remove(context.Background(), h)
	if !be.IsPermanentError(err) || !strings.Contains(err.Error(), "refused to delete") {
		t.Errorf("remove on append-only: %v", err)
	}
}

// TestStall cancels a request whose answer does not come, with a
// transient error, and one whose body stops.
func TestStall(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	cfg, _ := rest.ParseLocation("rest:" + srv.URL + "/")
	be, err := rest.Open(context.Background(), cfg, rest.Options{StallTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := backend.Handle{Type: backend.ConfigFile}
	start := time.Now()
	_, err = be.Stat(context.Background(), h)
	if err == nil || be.IsPermanentError(err) || !strings.Contains(err.Error(), "no progress for 200ms") {
		t.Errorf("stalled stat: %v, permanent %v", err, be.IsPermanentError(err))
	}
	_, err = load(be, h, 0, 0)
	if err == nil || be.IsPermanentError(err) || !strings.Contains(err.Error(), "no progress for 200ms") {
		t.Errorf("stalled load: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestErrorsHideCredentials makes transport failures (nothing listens)
// and checks that no error holds the password, nor the URL's user
// information.
func TestErrorsHideCredentials(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close()
	cfg, err := rest.ParseLocation("rest:http://user:hunter2secret@" + addr + "/repo")
	if err != nil {
		t.Fatal(err)
	}
	be, err := rest.Open(context.Background(), cfg, rest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := backend.Handle{Type: backend.KeyFile, Name: sha([]byte("k"))}
	_, serr := be.Stat(context.Background(), h)
	errs := []error{
		serr,
		be.Save(context.Background(), h, backend.NewByteReader([]byte("k"))),
		be.Remove(context.Background(), h),
		be.List(context.Background(), backend.KeyFile, func(backend.FileInfo) error { return nil }),
		be.Create(context.Background()),
	}
	for _, err := range errs {
		if err == nil || be.IsPermanentError(err) {
			t.Errorf("connection refused: %v, want a transient error", err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "user:") {
			t.Errorf("error leaks credentials: %v", err)
		}
	}
	if strings.Contains(be.Location(), "hunter2") || !strings.Contains(be.Location(), redact.Redacted) {
		t.Errorf("Location %q", be.Location())
	}
}
