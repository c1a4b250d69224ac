package rest

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Save uploads rd to h: POST <base><type>/<name> with Content-Length
// rd.Length(). If rd yields more or fewer bytes, the upload is cut off
// before the server has the whole body, and Save returns an error wrapping
// backend.ErrLengthMismatch. Names other than 64-hex IDs are refused
// without asking the server, which would reject them (its uploads must be
// named by their SHA-256). rest-server answers 403 for a file that
// exists.
func (b *Backend) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	u, err := b.fileURL(h)
	if err == nil && h.Type != backend.ConfigFile && !backend.IsValidName(h.Name) {
		err = fmt.Errorf("%w: %q is not a 64-character lowercase hex ID", errInvalidHandle, h.Name)
	}
	if err != nil {
		return fmt.Errorf("save %v: %w", h, err)
	}
	length := rd.Length()
	body := &exactBody{rd: rd, remaining: length}
	var send io.Reader = body
	if length == 0 {
		// A request with a body of unknown length would go out chunked;
		// send none, after checking that rd is empty.
		send = nil
		if _, err := body.Read(make([]byte, 1)); err != io.EOF {
			return fmt.Errorf("save %v: %w", h, backend.ErrLengthMismatch)
		}
	}
	resp, err := b.do(ctx, "save", h.String(), http.MethodPost, u, send, length, nil)
	if err == nil {
		if resp.StatusCode != http.StatusOK {
			err = statusError("save", h.String(), resp)
		} else {
			drain(resp.Body)
		}
		// Only once the body is closed is the transport done with rd.
		resp.Body.Close()
	}
	if body.mismatch {
		return fmt.Errorf("save %v: %w: Length() is %d", h, backend.ErrLengthMismatch, length)
	}
	return err
}

// exactBody yields exactly remaining bytes of rd. If rd ends early, or
// has more to give, it fails instead of handing out the last bytes, so a
// server never receives a complete body of the wrong content.
type exactBody struct {
	rd        io.Reader
	remaining int64
	mismatch  bool
}

func (e *exactBody) Read(p []byte) (int, error) {
	if e.mismatch {
		return 0, backend.ErrLengthMismatch
	}
	if e.remaining == 0 {
		return 0, e.checkEOF()
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.rd.Read(p)
	e.remaining -= int64(n)
	if e.remaining == 0 {
		if err := e.checkEOF(); err != io.EOF {
			return 0, err // withhold the final bytes
		}
		return n, nil
	}
	if err == io.EOF {
		e.mismatch = true
		return 0, backend.ErrLengthMismatch
	}
	return n, err
}

// checkEOF returns io.EOF if rd has nothing more, else records a mismatch.
func (e *exactBody) checkEOF() error {
	var one [1]byte
	for {
		n, err := e.rd.Read(one[:])
		if n > 0 {
			e.mismatch = true
			return backend.ErrLengthMismatch
		}
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return err
		}
	}
}
