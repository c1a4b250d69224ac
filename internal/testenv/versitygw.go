package testenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Region is the region the servers StartS3 starts report.
const S3Region = "us-east-1"

// s3StartTimeout bounds how long StartS3 waits for the server to answer.
const s3StartTimeout = 30 * time.Second

// s3StopGrace is how long Stop lets the server shut down by itself.
const s3StopGrace = 2 * time.Second

// S3Options tune StartS3With. The zero value is StartS3's server.
type S3Options struct {
	// VirtualDomain, if set, makes the server also accept virtual-host
	// style requests for "<bucket>.<VirtualDomain>" (such names must be
	// resolved to 127.0.0.1 by the client's dialer).
	VirtualDomain string
	// Dir is the posix backend's root directory, which must exist; each
	// bucket is a sub-directory. Empty means a new temporary directory.
	Dir string
}

// S3Server is a throwaway S3 server: the pinned versitygw with its posix
// backend on a temporary directory (each bucket a sub-directory),
// listening on 127.0.0.1 with a random root key pair, in region S3Region.
// Its methods are safe for concurrent use.
type S3Server struct {
	// Endpoint is the server's URL, "http://127.0.0.1:<port>".
	Endpoint string
	// Host is the endpoint's "127.0.0.1:<port>".
	Host string
	// AccessKey and SecretKey are the root user's credentials.
	AccessKey, SecretKey string
	// Dir is the posix backend's root directory.
	Dir string

	logPath  string
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the process has exited
	stopOnce sync.Once
}

// StartS3 starts versitygw (the pinned build, see Tool) with the posix
// backend on a new temporary directory and a free loopback port, waits
// until it answers HTTP requests, and stops it when the test ends. The
// server also dies with the test process (a parent-death signal on
// Linux). A missing versitygw skips the test, or fails it in CI.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	return StartS3With(t, S3Options{})
}

// StartS3With is StartS3 with options.
func StartS3With(t testing.TB, opts S3Options) *S3Server {
	t.Helper()
	bin := Tool(t, "versitygw")
	begin := time.Now()
	base := t.TempDir()
	s := &S3Server{
		AccessKey: "KBTEST" + strings.ToUpper(rand.Text()[:14]),
		SecretKey: rand.Text() + rand.Text()[:14],
		Dir:       opts.Dir,
		logPath:   filepath.Join(base, "versitygw.log"),
	}
	if s.Dir == "" {
		s.Dir = filepath.Join(base, "root")
		if err := os.Mkdir(s.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for attempt := 1; ; attempt++ {
		port := freeTCPPort(t)
		s.Host = "127.0.0.1:" + strconv.Itoa(port)
		s.Endpoint = "http://" + s.Host
		err := s.start(bin, opts)
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(strings.ToLower(s.log()), "address already in use") {
			t.Fatal(err)
		}
	}
	t.Cleanup(s.Stop)
	t.Logf("testenv: versitygw on %s ready in %v", s.Endpoint, time.Since(begin).Round(time.Millisecond))
	return s
}

// start runs the server on s.Host and waits until it answers.
func (s *S3Server) start(bin string, opts S3Options) error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	args := []string{"--access", s.AccessKey, "--secret", s.SecretKey, "--port", s.Host,
		"--region", S3Region, "--keep-alive", "--quiet"}
	if opts.VirtualDomain != "" {
		args = append(args, "--virtual-domain", opts.VirtualDomain)
	}
	args = append(args, "posix", s.Dir)
	cmd := exec.Command(bin, args...)
	// The root credentials are passed as flags, never through the
	// environment, so that AWS_* variables of the test cannot interfere.
	cmd.Env = s3ServerEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(cmd.SysProcAttr, syscall.SIGKILL)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testenv: start versitygw: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.After(s3StartTimeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			return fmt.Errorf("testenv: versitygw exited during startup:\n%s", s.log())
		case <-deadline:
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("testenv: versitygw not answering after %v:\n%s", s3StartTimeout, s.log())
		case <-tick.C:
			resp, err := client.Get(s.Endpoint + "/")
			if err != nil {
				continue
			}
			resp.Body.Close()
			s.cmd, s.exited = cmd, exited
			return nil
		}
	}
}

// Env returns the variables that give restic and kamal-backup the root
// credentials and the region.
func (s *S3Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_DEFAULT_REGION=" + S3Region,
	}
}

// Location returns the restic repository location of prefix in bucket,
// "s3:http://127.0.0.1:<port>/bucket/prefix" (prefix may be empty).
func (s *S3Server) Location(bucket, prefix string) string {
	loc := "s3:" + s.Endpoint + "/" + bucket
	if prefix != "" {
		loc += "/" + prefix
	}
	return loc
}

// CreateBucket creates the bucket name, failing the test on error.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	client, err := minio.New(s.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region:       S3Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := client.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: S3Region}); err != nil {
		t.Fatalf("testenv: create bucket %s: %v", name, err)
	}
}

// Stop stops the server and waits for it to exit: SIGTERM, then SIGKILL
// after s3StopGrace (versitygw waits for idle keep-alive connections of
// clients on SIGTERM; the data is throwaway anyway). It may be called
// more than once; the test must not use the server afterwards.
func (s *S3Server) Stop() {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(s3StopGrace):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

func (s *S3Server) log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// s3ServerEnv is the test process's environment without the variables
// versitygw reads its settings from.
func s3ServerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") || strings.HasPrefix(name, "AWS_") ||
			name == "LOGFILE" || name == "WEBHOOK" {
			continue
		}
		env = append(env, kv)
	}
	return env
}
