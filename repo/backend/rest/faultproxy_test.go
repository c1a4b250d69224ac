package rest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fault is what faultProxy does to one request.
type fault int

const (
	faultNone      fault = iota
	fault500             // read the request, answer 500
	fault503Early        // answer 503 without reading the request
	fault503After        // forward the request, then answer 503 instead of the server's answer
	faultResetUp         // reset the connection partway through the request body, or before answering
	faultResetDown       // reset the connection partway through the response body
	faultStall           // pause partway for a while, then carry on
	faultHang            // pause partway for longer than the client waits, then reset
	faultKinds
)

var faultNames = [...]string{"none", "500", "503 before", "503 after forwarding", "reset during request",
	"reset during response", "stall", "hang"}

// faultWeights are the odds of each fault; hangs cost the client a stall
// timeout each, so they are rarer.
var faultWeights = [...]int{0, 3, 3, 2, 3, 3, 3, 1}

const totalWeight = 3 + 3 + 2 + 3 + 3 + 3 + 1

// faultProxy is a reverse proxy on 127.0.0.1 in front of a REST server
// that injects faults into a share of the requests, chosen with a seeded
// random source: connection resets (TCP RST) in the middle of request or
// response bodies, stalls, hangs, and 500/503 answers, some of them after
// the server carried the request out. With forbid set it answers 403 to
// everything.
type faultProxy struct {
	URL    string  // "http://127.0.0.1:<port>/"
	rate   float64 // share of requests that get a fault
	stall  time.Duration
	hang   time.Duration
	forbid atomic.Bool

	closed chan struct{} // closed at cleanup: pauses end at once

	mu     sync.Mutex
	rng    *rand.Rand
	counts [faultKinds]int
	proxy  *httputil.ReverseProxy
}

type connKey struct{}

// startFaultProxy proxies to upstream ("http://host:port/") and stops at
// the end of the test.
func startFaultProxy(t testing.TB, upstream string, seed uint64, rate float64) *faultProxy {
	t.Helper()
	up, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{
		URL:    "http://" + l.Addr().String() + "/",
		rate:   rate,
		stall:  1500 * time.Millisecond,
		hang:   10 * time.Second,
		rng:    rand.New(rand.NewPCG(seed, seed^0x5eed)),
		closed: make(chan struct{}),
	}
	p.proxy = &httputil.ReverseProxy{
		Rewrite:  func(r *httputil.ProxyRequest) { r.SetURL(up) },
		ErrorLog: log.New(io.Discard, "", 0),
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 32,
			DisableCompression:  true,
		},
	}
	srv := &http.Server{
		Handler:  p,
		ErrorLog: log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		close(p.closed)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	})
	return p
}

// pick chooses the fault for a request and where in the body it strikes.
func (p *faultProxy) pick(bodySize int64) (fault, int64, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := faultNone
	if p.rng.Float64() < p.rate {
		k := p.rng.IntN(totalWeight)
		for f = fault(1); k >= faultWeights[f]; f++ {
			k -= faultWeights[f]
		}
	}
	at := int64(0)
	if bodySize > 0 {
		at = p.rng.Int64N(bodySize)
	} else {
		at = p.rng.Int64N(64 << 10)
	}
	pause := time.Duration(p.rng.Int64N(int64(p.stall)))
	p.counts[f]++
	return f, at, pause
}

// summary returns the faults injected so far and their total.
func (p *faultProxy) summary() (string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	total := 0
	for f := fault(1); f < faultKinds; f++ {
		parts = append(parts, fmt.Sprintf("%s: %d", faultNames[f], p.counts[f]))
		total += p.counts[f]
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d requests, %d faults (%s)", total+p.counts[faultNone], total, strings.Join(parts, ", ")), total
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.forbid.Load() {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	conn, _ := r.Context().Value(connKey{}).(net.Conn)
	f, at, pause := p.pick(r.ContentLength)
	upload := r.ContentLength > 0
	switch f {
	case fault500:
		io.Copy(io.Discard, r.Body)
		http.Error(w, "injected failure", http.StatusInternalServerError)
		return
	case fault503Early:
		w.Header().Set("Connection", "close")
		http.Error(w, "injected: try again later", http.StatusServiceUnavailable)
		return
	case fault503After:
		p.proxy.ServeHTTP(discardWriter{header: http.Header{}}, r)
		http.Error(w, "injected: answer lost", http.StatusServiceUnavailable)
		return
	case faultResetUp, faultResetDown, faultStall, faultHang:
		act := func() error {
			switch f {
			case faultStall:
				p.pause(r.Context(), pause)
				return nil
			case faultHang:
				p.pause(r.Context(), p.hang)
			}
			reset(conn)
			return errors.New("injected reset")
		}
		if f == faultResetUp || ((f == faultStall || f == faultHang) && upload) {
			if !upload {
				reset(conn) // a reset before anything was answered
				return
			}
			r.Body = &faultBody{rc: r.Body, at: at, act: act}
		} else {
			w = &faultWriter{ResponseWriter: w, at: at, act: act}
		}
	}
	p.proxy.ServeHTTP(w, r)
}

// reset closes c with an RST instead of a FIN.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	if c != nil {
		c.Close()
	}
}

// pause waits d, or until the request or the proxy ends.
func (p *faultProxy) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-p.closed:
	}
}

// faultBody runs act once at byte at of a request body; an error of act
// becomes the body's read error.
type faultBody struct {
	rc   io.ReadCloser
	at   int64
	n    int64
	done bool
	err  error
	act  func() error
}

func (b *faultBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if !b.done && b.n+int64(len(p)) > b.at {
		if b.n >= b.at {
			b.done = true
			if b.err = b.act(); b.err != nil {
				return 0, b.err
			}
		} else {
			p = p[:b.at-b.n]
		}
	}
	n, err := b.rc.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *faultBody) Close() error { return b.rc.Close() }

// faultWriter runs act once at byte at of a response body.
type faultWriter struct {
	http.ResponseWriter
	at   int64
	n    int64
	done bool
	err  error
	act  func() error
}

func (w *faultWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	written := 0
	if !w.done && w.n+int64(len(p)) > w.at {
		k := w.at - w.n
		n, err := w.ResponseWriter.Write(p[:k])
		w.n += int64(n)
		written += n
		if err != nil {
			return written, err
		}
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		w.done = true
		if w.err = w.act(); w.err != nil {
			return written, w.err
		}
		p = p[k:]
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return written + n, err
}

func (w *faultWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.err == nil {
		f.Flush()
	}
}

// discardWriter swallows the server's answer of a request whose answer is
// replaced.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
