package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server serves a Metrics' Handler over HTTP.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Listen starts serving m on addr ("127.0.0.1:9153", ":9153"). The
// address is bound when it returns, so that one in use fails at once.
// errLog receives the server's own errors; nil discards them.
func (m *Metrics) Listen(addr string, errLog *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	s := &Server{ln: ln, done: make(chan error, 1), srv: &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
	}}
	if errLog != nil {
		s.srv.ErrorLog = slog.NewLogLogger(errLog.Handler(), slog.LevelWarn)
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on (with the port chosen when
// addr asked for port 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops the server gracefully: it stops listening and waits for
// the requests in flight until ctx is done, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
