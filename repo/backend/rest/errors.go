package rest

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// errInvalidHandle is wrapped by errors for handles the backend refuses
// before asking the server: an unknown type, a name that is not a file
// name. It is permanent.
var errInvalidHandle = errors.New("invalid handle")

// errStalled is the cause of a request canceled by the watchdog.
var errStalled = errors.New("no progress")

// StatusError is an HTTP response with an unexpected status code. It wraps
// fs.ErrNotExist for 404, backend.ErrShortFile for 416 and fs.ErrPermission
// for 401 and 403, so that callers can test it with errors.Is.
type StatusError struct {
	Op      string // "save", "load", "stat", "list", "remove" or "create"
	Name    string // the file ("data/<id>", "config") or directory ("keys/")
	Code    int    // the HTTP status code
	Message string // the start of the response body, if it was text
}

// Error returns, for example, "remove data/0123...: the server refused to
// delete (403 Forbidden: ...); an append-only server keeps all but locks".
func (e *StatusError) Error() string {
	status := fmt.Sprintf("%d %s", e.Code, http.StatusText(e.Code))
	if e.Message != "" && !strings.EqualFold(e.Message, http.StatusText(e.Code)) {
		status += ": " + e.Message
	}
	var what string
	switch {
	case e.Code == http.StatusUnauthorized:
		what = "authentication failed (" + status + "); check the user name and password"
	case e.Code == http.StatusForbidden && e.Op == "remove":
		what = "the server refused to delete (" + status + "); an append-only server deletes nothing but locks"
	case e.Code == http.StatusForbidden && e.Op == "save":
		what = "the server refused to store (" + status + "); the file may exist already, or the account lacks access"
	case e.Code == http.StatusForbidden:
		what = "access denied (" + status + ")"
	case e.Code == http.StatusInsufficientStorage:
		what = "the server is out of space (" + status + ")"
	case e.Code == http.StatusNotFound:
		what = "file does not exist (" + status + ")"
	case e.Code == http.StatusRequestedRangeNotSatisfiable:
		what = backend.ErrShortFile.Error() + " (" + status + ")"
	default:
		what = "unexpected HTTP response (" + status + ")"
	}
	return e.Op + " " + e.Name + ": " + what
}

// Unwrap returns the sentinel the status code stands for, or nil.
func (e *StatusError) Unwrap() error {
	switch e.Code {
	case http.StatusNotFound:
		return fs.ErrNotExist
	case http.StatusRequestedRangeNotSatisfiable:
		return backend.ErrShortFile
	case http.StatusUnauthorized, http.StatusForbidden:
		return fs.ErrPermission
	}
	return nil
}

// permanent reports whether repeating the request cannot change the
// answer.
func (e *StatusError) permanent() bool {
	switch e.Code {
	case http.StatusNotFound, http.StatusRequestedRangeNotSatisfiable, http.StatusUnauthorized,
		http.StatusForbidden, http.StatusInsufficientStorage:
		return true
	}
	return false
}

// requestError is a request that got no response: a refused or reset
// connection, a timeout, a stalled transfer. It never holds the URL.
type requestError struct {
	Op   string
	Name string
	Err  error
}

func (e *requestError) Error() string { return e.Op + " " + e.Name + ": " + e.Err.Error() }
func (e *requestError) Unwrap() error { return e.Err }

// cleanTransportError strips what net/http adds around a failed request:
// the *url.Error carries the method and full URL, which must not reach a
// message even though credentials never are in it.
func cleanTransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// IsNotExist reports whether err means the file does not exist.
func (b *Backend) IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsPermanentError reports whether retrying cannot help: the file does not
// exist or already exists (Create), the read went past its end, the server denied access (401, 403),
// is out of space (507), the handle is invalid or the reader's length was
// wrong.
func (b *Backend) IsPermanentError(err error) bool {
	var se *StatusError
	if errors.As(err, &se) && se.permanent() {
		return true
	}
	// A host name that does not resolve is a mistyped or removed server:
	// waiting will not make it appear, so fail fast.
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return true
	}
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist) || errors.Is(err, backend.ErrShortFile) ||
		errors.Is(err, backend.ErrLengthMismatch) || errors.Is(err, errInvalidHandle)
}
