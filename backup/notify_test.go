package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// hookRequest is a request a hookServer received.
type hookRequest struct {
	method, path, ctype string
	body                []byte
}

// hookServer is a loopback HTTP server standing for a webhook receiver
// and healthchecks; status decides each answer (nil: 200).
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []hookRequest
	status func(n int, path string) int
}

func newHookServer(t testing.TB, status func(n int, path string) int) *hookServer {
	t.Helper()
	s := &hookServer{status: status}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, hookRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), body})
		n := len(s.reqs)
		s.mu.Unlock()
		code := http.StatusOK
		if s.status != nil {
			code = s.status(n, r.URL.Path)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns the requests received so far.
func (s *hookServer) requests() []hookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hookRequest(nil), s.reqs...)
}

// paths returns the paths of the requests received so far.
func (s *hookServer) paths() []string {
	var out []string
	for _, r := range s.requests() {
		out = append(out, r.path)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writes (a log).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// notifyConfig loads a configuration whose notify section is yml.
func notifyConfig(t testing.TB, yml string) *Config {
	t.Helper()
	return mustLoad(t, validBase+yml, baseEnv(), LoadOptions{})
}

func TestHTTPNotifierRetries(t *testing.T) {
	srv := newHookServer(t, func(n int, _ string) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	cfg := notifyConfig(t, fmt.Sprintf("notify: {on: [success], webhook: '%s/hook/%s'}\n", srv.URL, testHookToken))
	n := NewHTTPNotifier(cfg, HTTPNotifierOptions{Backoff: time.Millisecond})
	n.Notify(Event{Kind: EventSuccess, At: runT0, Record: &BackupRecord{Status: StatusOK}})
	n.Notify(Event{Kind: EventFailure, At: runT0}) // not in on
	if err := n.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (two 503s, then 204)", len(reqs))
	}
	for _, r := range reqs {
		if r.method != http.MethodPost || r.ctype != "application/json" || r.path != "/hook/"+testHookToken {
			t.Errorf("request %s %s %s", r.method, r.path, r.ctype)
		}
	}
	var doc Notification
	if err := json.Unmarshal(reqs[2].body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Kind != KindNotification || doc.SchemaVersion != 1 || doc.Event != EventSuccess || doc.App != "shop" ||
		doc.Host != "shop-backup" || !doc.At.Equal(runT0) || doc.Record == nil || doc.Summary == "" {
		t.Errorf("payload %s", reqs[2].body)
	}
	n.Notify(Event{Kind: EventSuccess}) // after Close: dropped, no panic
}

func TestHTTPNotifierGivesUp(t *testing.T) {
	srv := newHookServer(t, func(int, string) int { return http.StatusNotFound })
	var log syncBuffer
	cfg := notifyConfig(t, fmt.Sprintf("notify: {webhook: '%s/hook/%s', healthchecks: '%s/%s/'}\n", srv.URL, testHookToken, srv.URL, testHCUUID))
	n := NewHTTPNotifier(cfg, HTTPNotifierOptions{Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	n.Notify(Event{Kind: EventFailure, At: runT0, Err: errors.New("disk full")})
	if err := n.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	// 404 is not retried: one ping, one POST.
	if diff := cmp.Diff([]string{"/" + testHCUUID + "/fail", "/hook/" + testHookToken}, srv.paths()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	wantContains := []string{"healthchecks notification failed", "webhook notification failed", "404 Not Found", srv.URL + "/[REDACTED]"}
	for _, w := range wantContains {
		if !strings.Contains(log.String(), w) {
			t.Errorf("log lacks %q:\n%s", w, log.String())
		}
	}
	noSecret(t, []string{testHookToken, testHCUUID}, log.String())
}

func TestHTTPNotifierUnreachable(t *testing.T) {
	srv := newHookServer(t, nil)
	url := srv.URL + "/" + testHCUUID
	srv.Close()
	var log syncBuffer
	cfg := notifyConfig(t, "notify: {healthchecks: '"+url+"'}\n")
	n := NewHTTPNotifier(cfg, HTTPNotifierOptions{Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	n.Notify(Event{Kind: EventStart, At: runT0})
	if err := n.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "attempts=3") || !strings.Contains(log.String(), "connection refused") {
		t.Errorf("log:\n%s", log.String())
	}
	noSecret(t, []string{testHCUUID}, log.String())
}

func TestHTTPNotifierCloseGivesUp(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	cfg := notifyConfig(t, "notify: {healthchecks: '"+srv.URL+"/"+testHCUUID+"'}\n")
	n := NewHTTPNotifier(cfg, HTTPNotifierOptions{})
	n.Notify(Event{Kind: EventStart, At: runT0})
	n.Notify(Event{Kind: EventSuccess, At: runT0})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := n.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close with a hung endpoint: %v, want the deadline", err)
	}
}

func TestHealthchecksURL(t *testing.T) {
	for _, tc := range []struct{ base, event, want string }{
		{"https://hc-ping.com/u", EventStart, "https://hc-ping.com/u/start"},
		{"https://hc-ping.com/u/", EventSuccess, "https://hc-ping.com/u"},
		{"https://hc.example.com/ping/key/slug?create=1", EventFailure, "https://hc.example.com/ping/key/slug/fail?create=1"},
		{"https://hc-ping.com/u", EventLate, ""},
	} {
		got, ok := healthchecksURL(tc.base, tc.event)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("healthchecksURL(%q, %s) = %q, %v; want %q", tc.base, tc.event, got, ok, tc.want)
		}
	}
}

func TestPingBodyBounded(t *testing.T) {
	cfg := notifyConfig(t, "notify: {healthchecks: https://hc-ping.com/"+testHCUUID+"}\n")
	n := &HTTPNotifier{cfg: cfg}
	rec := &BackupRecord{Status: StatusFailed, Error: "boom", Sources: []SourceResult{
		{Type: SourceDatabase, Database: "app", Status: StatusFailed, Error: strings.Repeat("é", 20000)}}}
	body := n.pingBody(Event{Kind: EventFailure, Record: rec, Err: errors.New("restic-password-1 leaked")})
	if len(body) > maxPingBody || !utf8.Valid(body) || !strings.HasPrefix(string(body), "shop: backup failed") || !strings.Contains(string(body), "database:app: failed") {
		t.Errorf("ping body of %d bytes: %.200s", len(body), body)
	}
	bare := string(n.pingBody(Event{Kind: EventFailure, Err: errors.New("restic-password-1 leaked")}))
	noSecret(t, []string{"restic-password-1"}, bare)
	if !strings.Contains(bare, "[REDACTED] leaked") {
		t.Errorf("ping body without a record: %q", bare)
	}
}
