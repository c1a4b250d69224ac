package rclone

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// pipeConn is a net.Conn made of the child's standard output (read) and
// standard input (write). Deadlines are not supported; requests are
// bounded by their contexts instead.
type pipeConn struct {
	r         io.ReadCloser
	w         io.WriteCloser
	closeOnce sync.Once
	broken    atomic.Bool // a read or write failed, or Close was called
}

func (c *pipeConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.broken.Store(true)
	}
	return n, err
}

func (c *pipeConn) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		c.broken.Store(true)
	}
	return n, err
}

// isBroken reports whether the pipes failed or were closed.
func (c *pipeConn) isBroken() bool { return c.broken.Load() }

// Close closes both pipes; rclone exits when its input ends.
func (c *pipeConn) Close() error {
	c.broken.Store(true)
	c.closeOnce.Do(func() {
		_ = c.w.Close()
		_ = c.r.Close()
	})
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr              { return stdioAddr{} }
func (c *pipeConn) RemoteAddr() net.Addr             { return stdioAddr{} }
func (c *pipeConn) SetDeadline(time.Time) error      { return nil }
func (c *pipeConn) SetReadDeadline(time.Time) error  { return nil }
func (c *pipeConn) SetWriteDeadline(time.Time) error { return nil }

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "rclone" }

// errConnUsed is returned when the HTTP transport asks for a second
// connection: there is only one pair of pipes. It happens after the
// first connection failed, so the child is gone or unusable.
var errConnUsed = errors.New("rclone connection lost")

// transport returns an HTTP/2 transport without TLS whose only
// connection is conn; rclone's --stdio mode speaks HTTP/2 with prior
// knowledge. Requests beyond what rclone allows at once wait for a
// stream instead of asking for another connection.
func transport(conn net.Conn) *http.Transport {
	var once sync.Once
	dial := func(context.Context, string, string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c = conn })
		if c == nil {
			return nil, errConnUsed
		}
		return c, nil
	}
	t := &http.Transport{
		DialContext:        dial,
		DisableCompression: true,
		HTTP2:              &http.HTTP2Config{StrictMaxConcurrentRequests: true},
		Protocols:          new(http.Protocols),
	}
	t.Protocols.SetUnencryptedHTTP2(true)
	return t
}
