package rclone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

var (
	_ backend.Backend = (*Rclone)(nil)
	_ backend.Creator = (*Rclone)(nil)
)

// cleanupTimeout bounds the removal of a failed upload.
const cleanupTimeout = 30 * time.Second

// exitWait is how long an operation whose connection broke waits for
// rclone's exit, to report its status and last messages.
const exitWait = 2 * time.Second

// Rclone is a repository on an rclone remote, served by a child rclone
// process. It is safe for concurrent use; requests share one HTTP/2
// connection to the child.
type Rclone struct {
	rest     *rest.Backend
	location string
	proc     *process
	conn     *pipeConn
	once     sync.Once
}

// Open starts "rclone serve restic --stdio remote" (see Options) and
// returns the backend once rclone answers a first request. The repository
// need not exist yet; Create makes it. If rclone cannot be started, exits
// or does not answer within Options.Timeout, Open fails with rclone's last
// messages, redacted.
func Open(ctx context.Context, remote string, opts Options) (*Rclone, error) {
	if remote == "" {
		return nil, errors.New("open rclone: empty remote")
	}
	location := "rclone:" + redactRemote(remote)
	program := opts.Program
	if program == "" {
		program = "rclone"
	}
	path, err := exec.LookPath(program)
	if err != nil {
		// Not %w: a missing program must not read as a missing file.
		return nil, fmt.Errorf("open %s: %v", location, err)
	}
	args := opts.Args
	if args == nil {
		args = DefaultArgs
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	red := &redact.Redactor{}
	red.Add(secretValues(remote)...)
	red.AddEnv(env)

	proc, err := start(path, append(slices.Clone(args), remote), env, red, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", location, err)
	}
	conn := &pipeConn{r: proc.stdout, w: proc.stdin}
	base := &url.URL{Scheme: "http", Host: "rclone", Path: "/"}
	rb, err := rest.Open(ctx, rest.Config{URL: base}, rest.Options{Transport: transport(conn), Connections: opts.Connections})
	if err != nil {
		proc.stop(0)
		return nil, fmt.Errorf("open %s: %w", location, err)
	}
	r := &Rclone{rest: rb, location: location, proc: proc, conn: conn}
	if err := r.waitReady(ctx, timeout); err != nil {
		r.Close()
		return nil, fmt.Errorf("open %s: %w", location, err)
	}
	return r, nil
}

// waitReady asks for the config file's size: any answer from the server,
// "not found" included, means rclone is serving.
func (r *Rclone) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := r.Stat(ctx, backend.Handle{Type: backend.ConfigFile})
	if err == nil || r.rest.IsNotExist(err) {
		return nil
	}
	if e := r.proc.exitErr(); e != nil {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("rclone did not answer within %v%s", timeout, r.proc.lastLines())
	}
	return err
}

// check adds to a failed operation's error why rclone exited, if it did,
// which makes the error permanent. When the connection broke, it gives
// rclone a moment to exit first.
func (r *Rclone) check(err error) error {
	if err == nil {
		return nil
	}
	if r.conn.isBroken() {
		t := time.NewTimer(exitWait)
		select {
		case <-r.proc.exited:
		case <-t.C:
		}
		t.Stop()
	}
	if e := r.proc.exitErr(); e != nil && !errors.Is(err, ErrExited) {
		return fmt.Errorf("%w: %w", err, e)
	}
	return err
}

// Location returns "rclone:" and the remote, with secret parameters of a
// connection string redacted.
func (r *Rclone) Location() string { return r.location }

// Connections returns Options.Connections (default 5).
func (r *Rclone) Connections() uint { return r.rest.Connections() }

// HasAtomicReplace returns false: depending on the remote and the rclone
// version, a failed upload may leave a partial file, which the retry layer
// removes before trying again.
func (r *Rclone) HasAtomicReplace() bool { return false }

// Create creates the repository: its directories on the remote. It fails
// with an error wrapping fs.ErrExist if a config file exists already.
func (r *Rclone) Create(ctx context.Context) error { return r.check(r.rest.Create(ctx)) }

// Save stores rd under h; see backend.Backend. rclone (1.60 at least)
// keeps what it received of an aborted upload under the final name, so
// Save checks rd's length before sending anything, and a failed Save
// removes the file again (except the config file, never removed behind the
// caller's back). rclone may still be finishing the aborted upload when
// the removal arrives; the retry layer removes partial files again before
// its next attempt.
func (r *Rclone) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	if err := checkLength(rd); err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	err := r.rest.Save(ctx, h, rd)
	if err != nil && h.Type != backend.ConfigFile && r.proc.exitErr() == nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		_ = r.rest.Remove(rctx, h)
		cancel()
	}
	return r.check(err)
}

// checkLength returns an error wrapping backend.ErrLengthMismatch if rd
// does not yield exactly rd.Length() bytes, and leaves rd rewound. An
// in-memory reader is checked without reading; others are read once.
func checkLength(rd backend.RewindReader) error {
	want := rd.Length()
	if b, ok := rd.(interface{ Bytes() []byte }); ok {
		if int64(len(b.Bytes())) != want {
			return fmt.Errorf("%w: %d bytes, Length() is %d", backend.ErrLengthMismatch, len(b.Bytes()), want)
		}
		return nil
	}
	n, err := io.Copy(io.Discard, io.LimitReader(rd, want+1))
	if err != nil {
		return err
	}
	if err := rd.Rewind(); err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%w: %d bytes, Length() is %d", backend.ErrLengthMismatch, n, want)
	}
	return nil
}

// Load calls fn with length bytes of h from offset; see backend.Backend.
// rclone answers a range starting past the end of a file with an empty
// 206, so a load to the end from an offset checks the size first.
func (r *Rclone) Load(ctx context.Context, h backend.Handle, length int, offset int64, fn func(io.Reader) error) error {
	if length == 0 && offset > 0 {
		fi, err := r.rest.Stat(ctx, h)
		if err != nil {
			return r.check(fmt.Errorf("load %v: %w", h, err))
		}
		if offset > fi.Size {
			return fmt.Errorf("load %v: %w: offset %d, size %d", h, backend.ErrShortFile, offset, fi.Size)
		}
	}
	return r.check(r.rest.Load(ctx, h, length, offset, fn))
}

// Stat returns the size of h.
func (r *Rclone) Stat(ctx context.Context, h backend.Handle) (backend.FileInfo, error) {
	fi, err := r.rest.Stat(ctx, h)
	return fi, r.check(err)
}

// List calls fn for every file of type t; see backend.Backend.
func (r *Rclone) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	return r.check(r.rest.List(ctx, t, fn))
}

// Remove deletes h.
func (r *Rclone) Remove(ctx context.Context, h backend.Handle) error {
	return r.check(r.rest.Remove(ctx, h))
}

// IsNotExist reports whether err means the file does not exist.
func (r *Rclone) IsNotExist(err error) bool { return r.rest.IsNotExist(err) }

// IsPermanentError reports whether retrying cannot help: the REST
// client's permanent errors, and any error after rclone exited.
func (r *Rclone) IsPermanentError(err error) bool {
	return errors.Is(err, ErrExited) || errors.Is(err, errConnUsed) || r.rest.IsPermanentError(err)
}

// Close ends rclone's input, which makes it exit, kills it if it has not
// exited within a few seconds, and waits for it. Later operations fail.
func (r *Rclone) Close() error {
	r.once.Do(func() {
		_ = r.rest.Close()
		_ = r.conn.Close()
		r.proc.stop(stopTimeout)
	})
	return nil
}
