package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// ErrLegacyFormat is returned by Decode for the pre-0.2 index format, a
// top-level JSON array of packs, which restic 0.18 rejects as well (fix it
// with `restic repair index`).
var ErrLegacyFormat = errors.New("legacy index format (top-level array) is not supported")

// Pack lists the blobs of one pack.
type Pack struct {
	ID    id.ID
	Blobs []pack.Blob
}

// PackBlobs is another name for Pack.
type PackBlobs = Pack

// File is the content of one index file.
type File struct {
	Packs []Pack
}

// Count returns the number of blob entries in f.
func (f *File) Count() int { return countBlobs(f.Packs) }

func countBlobs(packs []Pack) int {
	n := 0
	for _, p := range packs {
		n += len(p.Blobs)
	}
	return n
}

// JSON shapes, with fields in the order restic writes them.
type (
	jsonFile struct {
		// Supersedes (written by restic 0.14–0.16) is never honoured and
		// therefore not decoded.
		Packs []jsonPack `json:"packs"`
	}
	jsonPack struct {
		ID    id.ID      `json:"id"`
		Blobs []jsonBlob `json:"blobs"`
	}
	jsonBlob struct {
		ID                 id.ID         `json:"id"`
		Type               pack.BlobType `json:"type"`
		Offset             uint32        `json:"offset"`
		Length             uint32        `json:"length"`
		UncompressedLength uint32        `json:"uncompressed_length,omitempty"`
	}
)

// Decode parses the JSON of an index file. Every pack and blob must have a
// non-null ID, every blob a type of "data" or "tree" and a length of at
// least the 32-byte encryption overhead. A "supersedes" list is tolerated
// and ignored; unknown fields are ignored. The legacy array format yields
// ErrLegacyFormat.
func Decode(data []byte) (*File, error) {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, ErrLegacyFormat
	}
	var jf jsonFile
	if err := json.Unmarshal(data, &jf); err != nil {
		return nil, fmt.Errorf("decode index: %w", err)
	}
	f := &File{Packs: make([]Pack, 0, len(jf.Packs))}
	for i, jp := range jf.Packs {
		if jp.ID.IsNull() {
			return nil, fmt.Errorf("decode index: pack %d has no id", i)
		}
		p := Pack{ID: jp.ID, Blobs: make([]pack.Blob, 0, len(jp.Blobs))}
		for j, jb := range jp.Blobs {
			b := pack.Blob{Type: jb.Type, ID: jb.ID, Offset: jb.Offset, Length: jb.Length, UncompressedLength: jb.UncompressedLength}
			if err := validBlob(b); err != nil {
				return nil, fmt.Errorf("decode index: pack %v blob %d: %w", jp.ID.Str(), j, err)
			}
			p.Blobs = append(p.Blobs, b)
		}
		f.Packs = append(f.Packs, p)
	}
	return f, nil
}

func validBlob(b pack.Blob) error {
	switch {
	case b.ID.IsNull():
		return errors.New("missing or null id")
	case !b.Type.Valid():
		return fmt.Errorf("blob %v: missing or invalid type", b.ID.Str())
	case b.Length < crypto.Extension:
		return fmt.Errorf("blob %v: length %d is shorter than %d", b.ID.Str(), b.Length, crypto.Extension)
	}
	return nil
}

// Encode returns the JSON of an index file listing packs, in the restic
// 0.17+ schema and with a trailing newline:
//
//	{"packs":[{"id":…,"blobs":[{"id":…,"type":"data","offset":0,"length":52,"uncompressed_length":11}]}]}
//
// uncompressed_length is omitted for uncompressed blobs; no supersedes list
// is written. Packs and blobs keep the given order. A blob with an invalid
// type is an error.
func Encode(packs []Pack) ([]byte, error) {
	jf := jsonFile{Packs: make([]jsonPack, len(packs))}
	for i, p := range packs {
		jp := jsonPack{ID: p.ID, Blobs: make([]jsonBlob, len(p.Blobs))}
		for j, b := range p.Blobs {
			if !b.Type.Valid() {
				return nil, fmt.Errorf("encode index: pack %v blob %v: invalid type %v", p.ID.Str(), b.ID.Str(), b.Type)
			}
			jp.Blobs[j] = jsonBlob{ID: b.ID, Type: b.Type, Offset: b.Offset, Length: b.Length, UncompressedLength: b.UncompressedLength}
		}
		jf.Packs[i] = jp
	}
	var buf bytes.Buffer
	buf.Grow(64 + 160*countBlobs(packs))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jf); err != nil {
		return nil, fmt.Errorf("encode index: %w", err)
	}
	return buf.Bytes(), nil
}
