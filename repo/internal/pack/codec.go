package pack

import (
	"fmt"
	"math"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/klauspost/compress/zstd"
)

// EncodeBlob turns a blob's plaintext into the bytes stored in a pack: a
// zstd frame of plaintext when compress is set, encrypted with key. It
// returns the stored bytes and the length to record as UncompressedLength:
// len(plaintext) when compressed, 0 otherwise. An empty plaintext is never
// compressed, since 0 means "not compressed". enc nil means Encoder().
// plaintext must be shorter than 4 GiB.
func EncodeBlob(key *crypto.Key, plaintext []byte, compress bool, enc *zstd.Encoder) (stored []byte, uncompressedLen uint32) {
	if len(plaintext) > math.MaxUint32-crypto.Extension {
		panic(fmt.Sprintf("pack: blob of %d bytes is too large", len(plaintext)))
	}
	if !compress || len(plaintext) == 0 {
		return key.Seal(make([]byte, 0, len(plaintext)+crypto.Extension), plaintext), 0
	}
	if enc == nil {
		enc = Encoder()
	}
	frame := enc.EncodeAll(plaintext, make([]byte, 0, len(plaintext)/2+64))
	return key.Seal(make([]byte, 0, len(frame)+crypto.Extension), frame), uint32(len(plaintext))
}

// DecodeBlob reverses EncodeBlob for the blob b whose stored bytes are
// stored: it checks the length against b.Length, decrypts, decompresses when
// b.UncompressedLength is nonzero (never allocating or producing more than
// that many bytes) and verifies that the SHA-256 of the plaintext is b.ID.
// Every failure wraps ErrBlobIntegrity and names the blob; a MAC failure
// also wraps crypto.ErrUnauthenticated.
func DecodeBlob(key *crypto.Key, b Blob, stored []byte) ([]byte, error) {
	if len(stored) != int(b.Length) {
		return nil, fmt.Errorf("%v blob %v: %w: got %d bytes, want %d", b.Type, b.ID, ErrBlobIntegrity, len(stored), b.Length)
	}
	plain, err := key.Open(nil, stored)
	if err != nil {
		return nil, fmt.Errorf("%v blob %v: %w: decrypt: %w", b.Type, b.ID, ErrBlobIntegrity, err)
	}
	if b.UncompressedLength != 0 {
		if plain, err = decompress(plain, b.UncompressedLength); err != nil {
			return nil, fmt.Errorf("%v blob %v: %w: %w", b.Type, b.ID, ErrBlobIntegrity, err)
		}
	}
	if got := id.Hash(plain); got != b.ID {
		return nil, fmt.Errorf("%v blob %v: %w: plaintext hashes to %v", b.Type, b.ID, ErrBlobIntegrity, got)
	}
	return plain, nil
}

// decompress decodes frame into exactly want bytes.
func decompress(frame []byte, want uint32) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(frame); err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	if h.HasFCS && h.FrameContentSize > uint64(want) {
		return nil, fmt.Errorf("decompress: frame holds %d bytes, want %d", h.FrameContentSize, want)
	}
	out, err := blobDecoder().DecodeAll(frame, make([]byte, 0, want))
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	if len(out) != int(want) {
		return nil, fmt.Errorf("decompress: got %d bytes, want %d", len(out), want)
	}
	return out, nil
}
