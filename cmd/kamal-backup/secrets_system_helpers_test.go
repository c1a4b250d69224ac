package main

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// planted are the secrets of TestNoSecretsAnywhere: what each is, and its
// random value.
type planted map[string]string

// newSecret returns a random-looking secret of 26 characters.
func newSecret() string { return rand.Text() }

// newUUID returns a random UUID, the shape of a healthchecks.io check.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// leaks fails the test for each secret found in text, except those whose
// names are in allowed.
func (p planted) leaks(t testing.TB, where, text string, allowed ...string) {
	t.Helper()
	for name, v := range p {
		if !slices.Contains(allowed, name) && strings.Contains(text, v) {
			t.Errorf("%s leaks the %s %q:\n%s", where, name, v, text)
		}
	}
}

// leaksInTree checks every file under dir and returns how many it read.
func (p planted) leaksInTree(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		p.leaks(t, path, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// capturedRequest is a request the notification server received.
type capturedRequest struct {
	uri, header, body string
}

// captureServer stands for a webhook receiver (paths /hook/...) and
// healthchecks.io (every other path). It answers the first webhook
// request with 403 and a reason phrase repeating the request's URI, as
// a careless receiver might, so that the notifier's error carries the
// URL's tokens.
type captureServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []capturedRequest
	refused bool
	got     chan struct{}
}

func newCaptureServer(t *testing.T) *captureServer {
	s := &captureServer{got: make(chan struct{}, 64)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *captureServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var hdr bytes.Buffer
	_ = r.Header.Write(&hdr)
	s.mu.Lock()
	s.reqs = append(s.reqs, capturedRequest{uri: r.RequestURI, header: hdr.String(), body: string(body)})
	refuse := strings.HasPrefix(r.URL.Path, "/hook/") && !s.refused
	s.refused = s.refused || refuse
	s.mu.Unlock()
	defer func() { s.got <- struct{}{} }()
	if !refuse {
		return
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 403 %s is not allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", r.RequestURI)
	_ = buf.Flush()
}

// wait returns the requests once n were received.
func (s *captureServer) wait(t *testing.T, n int) []capturedRequest {
	t.Helper()
	timeout := time.After(scheduleTimeout)
	for {
		s.mu.Lock()
		reqs := slices.Clone(s.reqs)
		s.mu.Unlock()
		if len(reqs) >= n {
			return reqs
		}
		select {
		case <-s.got:
		case <-timeout:
			t.Fatalf("%d notification requests in %v, want %d: %+v", len(reqs), scheduleTimeout, n, reqs)
		}
	}
}

// sysRestic runs the pinned restic on the REST repository.
func sysRestic(t testing.TB, env []string, args ...string) []byte {
	t.Helper()
	return testenv.RunTool(t, env, "", testenv.Restic(t), append([]string{"--no-cache", "-q"}, args...)...)
}

// snapshotFiles returns the files of every snapshot in the repository,
// read by the pinned restic, by snapshot tag set and path.
func snapshotFiles(t testing.TB, env []string) map[string]string {
	t.Helper()
	var snaps []resticSnapshot
	if err := json.Unmarshal(sysRestic(t, env, "snapshots", "--json"), &snaps); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, s := range snaps {
		tr := tar.NewReader(bytes.NewReader(sysRestic(t, env, "dump", "--archive", "tar", s.ID, "/")))
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("dump of snapshot %s: %v", s.ID, err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				files[strings.Join(s.Tags, ",")+" "+s.ID+":"+h.Name] = string(data)
			}
		}
	}
	return files
}
