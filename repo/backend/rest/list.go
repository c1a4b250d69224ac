package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// List calls fn for the files of type t with valid ID names: GET
// <base><type>/. A version 2 answer (Content-Type
// application/vnd.x.restic.rest.v2) lists names and sizes and is read as
// it arrives; a version 1 answer lists names only, and each file is then
// asked for its size (files gone meanwhile are skipped). A 404 lists as
// empty. The config file is never listed.
func (b *Backend) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	if t == backend.ConfigFile {
		return ctx.Err()
	}
	u, err := b.dirURL(t)
	if err != nil {
		return fmt.Errorf("list %v: %w", t, err)
	}
	name := t.String() + "/"
	resp, err := b.do(ctx, "list", name, http.MethodGet, u, nil, 0, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		drain(resp.Body)
		return ctx.Err()
	default:
		return statusError("list", name, resp)
	}
	dec := json.NewDecoder(resp.Body)
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == mediaTypeV2 {
		err = listV2(ctx, name, dec, fn)
	} else {
		err = b.listV1(ctx, t, dec, resp.Body, fn)
	}
	if err != nil {
		return err
	}
	return ctx.Err()
}

// decodeError wraps a JSON error of a listing; a broken-off body shows as
// the transport error it is.
func decodeError(name string, err error) error {
	var re *requestError
	if errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("list %s: reading the server's answer: %w", name, err)
}

// listV2 reads [{"name":...,"size":...},...] element by element.
func listV2(ctx context.Context, name string, dec *json.Decoder, fn func(backend.FileInfo) error) error {
	if err := expectDelim(name, dec, '['); err != nil {
		return err
	}
	for dec.More() {
		var fi struct {
			Name string `json:"name"`
			Size int64  `json:"size"`
		}
		if err := dec.Decode(&fi); err != nil {
			return decodeError(name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !backend.IsValidName(fi.Name) {
			continue
		}
		if err := fn(backend.FileInfo{Name: fi.Name, Size: fi.Size}); err != nil {
			return err
		}
	}
	return expectDelim(name, dec, ']')
}

// listV1 reads ["name",...] completely, closes the body and asks the size
// of each file.
func (b *Backend) listV1(ctx context.Context, t backend.FileType, dec *json.Decoder, body io.Closer, fn func(backend.FileInfo) error) error {
	var names []string
	if err := dec.Decode(&names); err != nil {
		return decodeError(t.String()+"/", err)
	}
	body.Close()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !backend.IsValidName(name) {
			continue
		}
		fi, err := b.Stat(ctx, backend.Handle{Type: t, Name: name})
		if b.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return nil
}

// expectDelim reads the next JSON token, which must be want.
func expectDelim(name string, dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(name, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("list %s: the server's answer is not a JSON array", name)
	}
	return nil
}
