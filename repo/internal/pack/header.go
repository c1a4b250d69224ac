package pack

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// Header entry type bytes.
const (
	typeData           = 0
	typeTree           = 1
	typeDataCompressed = 2
	typeTreeCompressed = 3
)

// HeaderLength validates the trailer in the last 4 bytes of tail, the end of
// a pack of packSize bytes, and returns the encrypted header length L it
// holds. L must satisfy 32 ≤ L ≤ 16 MiB and L ≤ packSize-4. Errors wrap
// ErrInvalidHeader.
func HeaderLength(tail []byte, packSize int64) (uint32, error) {
	if packSize < TrailerSize {
		return 0, fmt.Errorf("%w: pack of %d bytes has no trailer", ErrInvalidHeader, packSize)
	}
	if len(tail) < TrailerSize || int64(len(tail)) > packSize {
		return 0, fmt.Errorf("%w: tail of %d bytes for a pack of %d bytes", ErrInvalidHeader, len(tail), packSize)
	}
	l := binary.LittleEndian.Uint32(tail[len(tail)-TrailerSize:])
	switch {
	case l == 0:
		return 0, fmt.Errorf("%w: header length is zero", ErrInvalidHeader)
	case l < crypto.Extension:
		return 0, fmt.Errorf("%w: header length %d is shorter than %d", ErrInvalidHeader, l, crypto.Extension)
	case int64(l) > packSize-TrailerSize:
		return 0, fmt.Errorf("%w: header length %d exceeds pack size %d", ErrInvalidHeader, l, packSize)
	case l > MaxHeaderSize:
		return 0, fmt.Errorf("%w: header length %d exceeds maximum %d", ErrInvalidHeader, l, MaxHeaderSize)
	}
	return l, nil
}

// ParseHeader decrypts and parses the header of a pack of packSize bytes.
// tail holds the last len(tail) bytes of the pack; it must contain the whole
// encrypted header and the trailer (HeaderLength tells how much that is),
// otherwise the error wraps ErrShortTail. The returned blobs are in header
// order with offsets computed from 0. Any inconsistency — a bad trailer, a
// header that fails to decrypt, an unknown entry type, a truncated entry, or
// blobs that do not exactly fill the pack up to the header — yields an error
// wrapping ErrInvalidHeader (and crypto.ErrUnauthenticated for a MAC
// failure).
func ParseHeader(key *crypto.Key, tail []byte, packSize int64) ([]Blob, error) {
	l, err := HeaderLength(tail, packSize)
	if err != nil {
		return nil, err
	}
	if int64(l)+TrailerSize > int64(len(tail)) {
		return nil, fmt.Errorf("%w: have %d bytes, need %d", ErrShortTail, len(tail), int64(l)+TrailerSize)
	}
	end := len(tail) - TrailerSize
	plain, err := key.Open(nil, tail[end-int(l):end])
	if err != nil {
		return nil, fmt.Errorf("%w: decrypt: %w", ErrInvalidHeader, err)
	}
	return parseEntries(plain, packSize-int64(l)-TrailerSize)
}

// parseEntries parses a decrypted header. dataSize is the number of pack
// bytes before the encrypted header, which the blobs must fill exactly.
func parseEntries(plain []byte, dataSize int64) ([]Blob, error) {
	if len(plain) == 0 {
		return nil, fmt.Errorf("%w: header has no entries", ErrInvalidHeader)
	}
	// At most len/37 entries: the allocation is bounded by the header size.
	blobs := make([]Blob, 0, len(plain)/PlainEntrySize)
	var offset int64
	for p := plain; len(p) > 0; {
		var b Blob
		size := PlainEntrySize
		switch p[0] {
		case typeData:
			b.Type = DataBlob
		case typeTree:
			b.Type = TreeBlob
		case typeDataCompressed:
			b.Type, size = DataBlob, CompressedEntrySize
		case typeTreeCompressed:
			b.Type, size = TreeBlob, CompressedEntrySize
		default:
			return nil, fmt.Errorf("%w: entry %d has unknown type %d", ErrInvalidHeader, len(blobs), p[0])
		}
		if len(p) < size {
			return nil, fmt.Errorf("%w: entry %d truncated: %d of %d bytes", ErrInvalidHeader, len(blobs), len(p), size)
		}
		b.Length = binary.LittleEndian.Uint32(p[1:5])
		if size == CompressedEntrySize {
			b.UncompressedLength = binary.LittleEndian.Uint32(p[5:9])
			if b.UncompressedLength == 0 {
				return nil, fmt.Errorf("%w: entry %d is compressed with uncompressed length 0", ErrInvalidHeader, len(blobs))
			}
		}
		b.ID = id.ID(p[size-id.Size : size])
		if b.Length < crypto.Extension {
			return nil, fmt.Errorf("%w: entry %d (%v) has length %d, shorter than %d", ErrInvalidHeader, len(blobs), b.ID.Str(), b.Length, crypto.Extension)
		}
		if offset > math.MaxUint32 || offset+int64(b.Length) > dataSize {
			return nil, fmt.Errorf("%w: entry %d (%v) at offset %d length %d extends past the blob area of %d bytes", ErrInvalidHeader, len(blobs), b.ID.Str(), offset, b.Length, dataSize)
		}
		b.Offset = uint32(offset)
		offset += int64(b.Length)
		blobs = append(blobs, b)
		p = p[size:]
	}
	if offset != dataSize {
		return nil, fmt.Errorf("%w: blobs cover %d bytes but %d precede the header", ErrInvalidHeader, offset, dataSize)
	}
	return blobs, nil
}

// appendEntry appends b's header entry to dst.
func appendEntry(dst []byte, b Blob) []byte {
	t := byte(typeData)
	if b.Type == TreeBlob {
		t = typeTree
	}
	if b.UncompressedLength != 0 {
		t += typeDataCompressed
	}
	dst = append(dst, t)
	dst = binary.LittleEndian.AppendUint32(dst, b.Length)
	if b.UncompressedLength != 0 {
		dst = binary.LittleEndian.AppendUint32(dst, b.UncompressedLength)
	}
	return append(dst, b.ID[:]...)
}
