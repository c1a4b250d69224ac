package pack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// Packer assembles one pack in memory. Add appends already-encrypted blobs;
// Finalize appends the encrypted header and the trailer. Callers keep data
// and tree blobs in separate packers (repository v2 requires it) and decide
// when a pack is big enough; Full reports when the header cannot take
// another entry. A Packer is not safe for concurrent use.
type Packer struct {
	key       *crypto.Key
	buf       []byte
	blobs     []Blob
	hdrLen    int // plaintext header bytes so far
	finalized bool
}

// NewPacker returns a Packer that encrypts the header with key and builds the
// pack in buf[:0], so a caller can reuse a buffer between packs.
func NewPacker(key *crypto.Key, buf []byte) *Packer {
	return &Packer{key: key, buf: buf[:0]}
}

// Add appends the stored bytes of a blob (ciphertext, as produced by
// EncodeBlob) and records its header entry. uncompressedLength is 0 for a
// blob stored without compression. Add fails, leaving the packer unchanged,
// for an invalid type, a ciphertext shorter than the 32-byte encryption
// overhead, after Finalize, and with ErrPackFull when the header or the
// pack's offsets would overflow.
func (p *Packer) Add(t BlobType, blobID id.ID, ciphertext []byte, uncompressedLength uint32) error {
	switch {
	case p.finalized:
		return errors.New("pack: add after finalize")
	case !t.Valid():
		return fmt.Errorf("pack: add blob %v: invalid type %v", blobID.Str(), t)
	case len(ciphertext) < crypto.Extension:
		return fmt.Errorf("pack: add blob %v: %d stored bytes, need at least %d", blobID.Str(), len(ciphertext), crypto.Extension)
	case p.Full():
		return fmt.Errorf("pack: add blob %v: %w (header of %d entries)", blobID.Str(), ErrPackFull, len(p.blobs))
	case int64(len(p.buf))+int64(len(ciphertext)) > math.MaxUint32:
		return fmt.Errorf("pack: add blob %v: %w (%d bytes)", blobID.Str(), ErrPackFull, len(p.buf))
	}
	b := Blob{
		Type:               t,
		ID:                 blobID,
		Offset:             uint32(len(p.buf)),
		Length:             uint32(len(ciphertext)),
		UncompressedLength: uncompressedLength,
	}
	p.buf = append(p.buf, ciphertext...)
	p.blobs = append(p.blobs, b)
	p.hdrLen += EntrySize(b)
	return nil
}

// Full reports whether one more (compressed) entry would push the encrypted
// header past MaxHeaderSize.
func (p *Packer) Full() bool {
	return p.hdrLen+CompressedEntrySize+crypto.Extension > MaxHeaderSize
}

// Size returns the number of blob bytes added so far.
func (p *Packer) Size() int { return len(p.buf) }

// Count returns the number of blobs added so far.
func (p *Packer) Count() int { return len(p.blobs) }

// Blobs returns the entries added so far. The slice must not be modified.
func (p *Packer) Blobs() []Blob { return p.blobs }

// Finalize appends the encrypted header and the trailer and returns the
// complete pack and its blobs. The pack's ID is the SHA-256 of data. A pack
// without blobs is an error, as is a second call.
func (p *Packer) Finalize() (data []byte, blobs []Blob, err error) {
	if p.finalized {
		return nil, nil, errors.New("pack: finalize called twice")
	}
	if len(p.blobs) == 0 {
		return nil, nil, errors.New("pack: finalize empty pack")
	}
	p.finalized = true
	hdr := make([]byte, 0, p.hdrLen)
	for _, b := range p.blobs {
		hdr = appendEntry(hdr, b)
	}
	p.buf = p.key.Seal(p.buf, hdr)
	p.buf = binary.LittleEndian.AppendUint32(p.buf, uint32(len(hdr)+crypto.Extension))
	return p.buf, p.blobs, nil
}
