package s3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/s3"
)

const (
	fakeKeyID  = "AKIAFAKEKEYID0000000"
	fakeSecret = "fake/secret+key/value"
)

// fakeServer answers every request with status and an S3 error document
// of code and message, counting requests.
type fakeServer struct {
	status        int
	code, message string
	region        string
	requests      atomic.Int32
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.region != "" {
		w.Header().Set("X-Amz-Bucket-Region", f.region)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(f.status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><Region>%s</Region><RequestId>1</RequestId></Error>`,
			f.code, f.message, f.region)
	}
}

// fakeBackend opens a backend on a fake server's address.
func fakeBackend(t *testing.T, host string) *s3.Backend {
	t.Helper()
	return openBackend(t, s3.Config{Endpoint: host, Bucket: "bucket", Prefix: "p", Region: "us-east-1",
		BucketLookup: s3.LookupPath, KeyID: fakeKeyID, Secret: redact.NewSecret(fakeSecret)}, s3.Options{})
}

func TestErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		status        int
		code, message string
		region        string
		permanent     bool
		notExist      bool
		want          string
	}{
		{404, "NoSuchKey", "The specified key does not exist.", "", true, true, "file does not exist"},
		{404, "NoSuchBucket", "The specified bucket does not exist.", "", true, true, `bucket "bucket" does not exist`},
		{403, "AccessDenied", "Access Denied.", "", true, false, "access denied"},
		{403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", "", true, false, "check AWS_ACCESS_KEY_ID"},
		{403, "SignatureDoesNotMatch", "The request signature we calculated does not match. Key " + fakeKeyID + " secret " + fakeSecret, "", true, false, "check AWS_SECRET_ACCESS_KEY"},
		{400, "AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong; expecting 'eu-west-1'", "eu-west-1", true, false, `wrong region: the bucket is in "eu-west-1"`},
		{301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.", "eu-west-1", true, false, "wrong region"},
		{400, "InvalidArgument", "bad", "", true, false, "400 InvalidArgument"},
		{503, "SlowDown", "Please reduce your request rate.", "", false, false, "slow down"},
		{500, "InternalError", "We encountered an internal error.", "", false, false, "500 InternalError"},
		{503, "ServiceUnavailable", "Please retry.", "", false, false, "503 ServiceUnavailable"},
		{429, "TooManyRequests", "", "", false, false, "429"},
		{502, "", "", "", false, false, "502"},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.code), func(t *testing.T) {
			f := &fakeServer{status: tc.status, code: tc.code, message: tc.message, region: tc.region}
			srv := httptest.NewServer(f)
			defer srv.Close()
			be := fakeBackend(t, strings.TrimPrefix(srv.URL, "http://"))
			h := backend.Handle{Type: backend.IndexFile, Name: strings.Repeat("0f", 32)}
			err := be.Load(context.Background(), h, 0, 0, func(io.Reader) error { return nil })
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if got := be.IsPermanentError(err); got != tc.permanent {
				t.Errorf("IsPermanentError(%v) = %v, want %v", err, got, tc.permanent)
			}
			if got := be.IsNotExist(err); got != tc.notExist {
				t.Errorf("IsNotExist(%v) = %v, want %v", err, got, tc.notExist)
			}
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, be.Location()+": load index/0f0f") {
				t.Errorf("message %q lacks the location, the file or %q", msg, tc.want)
			}
			if strings.Contains(msg, fakeSecret) || strings.Contains(msg, fakeKeyID) {
				t.Errorf("message leaks a credential: %q", msg)
			}
			var se *s3.Error
			if !errors.As(err, &se) || se.StatusCode != tc.status || se.Code != tc.code || se.Op != "load" {
				t.Errorf("error fields %+v", se)
			}
			// Permanent answers are not retried by minio-go either.
			if n := f.requests.Load(); tc.permanent && n != 1 {
				t.Errorf("%d requests for a permanent failure, want 1", n)
			}
		})
	}
}

func TestAnonymousAccessDenied(t *testing.T) {
	srv := httptest.NewServer(&fakeServer{status: 403, code: "AccessDenied", message: "Access Denied."})
	defer srv.Close()
	be := openBackend(t, s3.Config{Endpoint: strings.TrimPrefix(srv.URL, "http://"), Bucket: "bucket", Region: "us-east-1",
		CredentialsFile: "/nonexistent/credentials"}, s3.Options{})
	err := be.List(context.Background(), backend.SnapshotFile, func(backend.FileInfo) error { return nil })
	if err == nil || !be.IsPermanentError(err) || !strings.Contains(err.Error(), "anonymous requests: set AWS_ACCESS_KEY_ID") {
		t.Fatalf("anonymous access denied: %v", err)
	}
}

func TestNetworkErrorIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	be := fakeBackend(t, addr)
	_, err = be.Stat(context.Background(), backend.Handle{Type: backend.ConfigFile})
	if err == nil || be.IsPermanentError(err) || be.IsNotExist(err) {
		t.Fatalf("connection refused: %v, permanent %v", err, be.IsPermanentError(err))
	}
	if !strings.HasPrefix(err.Error(), be.Location()+": stat config: ") {
		t.Errorf("message %q", err)
	}
}

func TestCanceledIsPermanent(t *testing.T) {
	srv := httptest.NewServer(&fakeServer{status: 500, code: "InternalError"})
	defer srv.Close()
	be := fakeBackend(t, strings.TrimPrefix(srv.URL, "http://"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := be.Stat(ctx, backend.Handle{Type: backend.ConfigFile})
	if !errors.Is(err, context.Canceled) || !be.IsPermanentError(err) {
		t.Fatalf("canceled stat: %v", err)
	}
}

func TestInvalidBucketLookup(t *testing.T) {
	_, err := s3.Open(context.Background(), s3.Config{Endpoint: "h", Bucket: "bucket", BucketLookup: "virtual"}, s3.Options{})
	if err == nil {
		t.Fatal("unknown bucket lookup accepted")
	}
}

func TestConnectionsDefault(t *testing.T) {
	be := openBackend(t, s3.Config{Endpoint: "h", Bucket: "bucket"}, s3.Options{})
	if be.Connections() != s3.DefaultConnections {
		t.Errorf("Connections() = %d, want %d", be.Connections(), s3.DefaultConnections)
	}
	be = openBackend(t, s3.Config{Endpoint: "h", Bucket: "bucket"}, s3.Options{Connections: 12})
	if be.Connections() != 12 {
		t.Errorf("Connections() = %d, want 12", be.Connections())
	}
	if got, want := be.Location(), "s3:http://h/bucket"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
}
