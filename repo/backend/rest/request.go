package rest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// mediaTypeV2 is the Accept header of every request and the Content-Type
// of a version 2 listing.
const mediaTypeV2 = "application/vnd.x.restic.rest.v2"

// do sends a request and returns the response, whose body the caller must
// close. A non-nil body is sent with Content-Length length. The request
// is canceled with a transient error when it makes no progress for the
// stall timeout, until the response body is closed. Errors name op and
// name and never the URL.
func (b *Backend) do(ctx context.Context, op, name, method, url string, body io.Reader, length int64, header func(http.Header)) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, &requestError{Op: op, Name: name, Err: err}
	}
	rctx, cancel := context.WithCancelCause(ctx)
	wd := newWatchdog(b.stall, cancel)
	var rb *requestBody
	var reqBody io.Reader
	if body != nil {
		rb = &requestBody{rd: body, wd: wd, closed: make(chan struct{})}
		reqBody = rb
	}
	req, err := http.NewRequestWithContext(rctx, method, url, reqBody)
	if err != nil {
		wd.stop()
		cancel(nil)
		return nil, &requestError{Op: op, Name: name, Err: errors.New("cannot make the HTTP request")}
	}
	req.ContentLength = length
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	req.Header.Set("Accept", mediaTypeV2)
	if b.auth {
		req.SetBasicAuth(b.user, b.password)
	}
	if header != nil {
		header(req.Header)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		wd.stop()
		cause := context.Cause(rctx)
		cancel(nil)
		rb.wait(b.stall)
		return nil, &requestError{Op: op, Name: name, Err: b.transportCause(ctx, cause, err)}
	}
	resp.Body = &watchedBody{rc: resp.Body, wd: wd, cancel: cancel, ctx: ctx, rctx: rctx, b: b, op: op, name: name, req: rb}
	return resp, nil
}

// transportCause picks the error to report for a failed request or body
// read: the caller's context error, the stall, or the transport's error
// without the URL.
func (b *Backend) transportCause(ctx context.Context, cause, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(cause, errStalled) {
		return fmt.Errorf("%w for %v", errStalled, b.stall)
	}
	return cleanTransportError(err)
}

// watchdog cancels a request that makes no progress for its timeout.
type watchdog struct {
	timeout time.Duration
	timer   *time.Timer
}

func newWatchdog(d time.Duration, cancel context.CancelCauseFunc) *watchdog {
	return &watchdog{timeout: d, timer: time.AfterFunc(d, func() { cancel(errStalled) })}
}

// kick restarts the timeout after progress.
func (w *watchdog) kick() { w.timer.Reset(w.timeout) }

// stop ends the watch.
func (w *watchdog) stop() { w.timer.Stop() }

// requestBody is a request body that kicks the watchdog whenever it is
// read and tells when the transport is done with it. net/http may go on
// reading a request body after Do has returned (when the answer came
// early, or in the error path) and closes it when done; the caller's
// reader must not be touched again, for example rewound for a retry,
// before then.
type requestBody struct {
	rd     io.Reader
	wd     *watchdog
	once   sync.Once
	closed chan struct{}
}

func (r *requestBody) Read(buf []byte) (int, error) {
	n, err := r.rd.Read(buf)
	if n > 0 {
		r.wd.kick()
	}
	return n, err
}

// Close records that the transport is done with the body.
func (r *requestBody) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// wait waits until the transport has closed the body, which it does
// promptly once the request's context is canceled. The limit only guards
// against a transport that breaks that promise.
func (r *requestBody) wait(limit time.Duration) {
	if r == nil {
		return
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-r.closed:
	case <-t.C:
	}
}

// watchedBody is a response body that kicks the watchdog on progress,
// reports read errors like do does, and ends the request on Close.
type watchedBody struct {
	rc        io.ReadCloser
	wd        *watchdog
	cancel    context.CancelCauseFunc
	ctx, rctx context.Context
	b         *Backend
	op, name  string
	req       *requestBody
}

func (w *watchedBody) Read(p []byte) (int, error) {
	n, err := w.rc.Read(p)
	if n > 0 {
		w.wd.kick()
	}
	if err != nil && err != io.EOF {
		err = &requestError{Op: w.op, Name: w.name, Err: w.b.transportCause(w.ctx, context.Cause(w.rctx), err)}
	}
	return n, err
}

// Close ends the request and waits until the transport is done with the
// request body.
func (w *watchedBody) Close() error {
	w.wd.stop()
	err := w.rc.Close()
	w.cancel(nil)
	w.req.wait(w.b.stall)
	return err
}

// drainLimit is how much of an unread response body is read before
// closing, so that the connection can be reused.
const drainLimit = 64 << 10

// drain reads what is left of a response body, up to drainLimit.
func drain(body io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
}

// statusError reads the start of the body of an unexpected response, for
// its message, and returns a *StatusError.
func statusError(op, name string, resp *http.Response) error {
	e := &StatusError{Op: op, Name: name, Code: resp.StatusCode}
	if ct := resp.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "text/") {
		line, _ := bufio.NewReader(io.LimitReader(resp.Body, 256)).ReadString('\n')
		line = strings.TrimSpace(line)
		if utf8.ValidString(line) {
			e.Message = line
		}
	}
	drain(resp.Body)
	return e
}
