package pack

import "github.com/kamal-backup/kamal-backup/repo/internal/crypto"

const (
	// PlainEntrySize is the header entry size of an uncompressed blob
	// (types 0 and 1): type(1) ‖ length(4) ‖ id(32).
	PlainEntrySize = 1 + 4 + 32
	// CompressedEntrySize is the header entry size of a compressed blob
	// (types 2 and 3): type(1) ‖ length(4) ‖ uncompressed length(4) ‖ id(32).
	CompressedEntrySize = 1 + 4 + 4 + 32
	// TrailerSize is the size of the little-endian header length that ends
	// every pack.
	TrailerSize = 4
	// HeaderOverhead is the part of a pack's size that does not depend on
	// its blobs: the header's IV and MAC plus the trailer.
	HeaderOverhead = crypto.Extension + TrailerSize
	// MaxHeaderSize is the largest encrypted header (IV ‖ entries ‖ MAC)
	// a pack may have, as stored in the trailer.
	MaxHeaderSize = 16 << 20
	// EagerReadSize is how many bytes ReadHeader reads from the end of a
	// pack at first: enough for a header of 15 compressed entries.
	EagerReadSize = 15*CompressedEntrySize + HeaderOverhead
)

// EntrySize returns the size of b's entry in a pack header.
func EntrySize(b Blob) int {
	if b.UncompressedLength != 0 {
		return CompressedEntrySize
	}
	return PlainEntrySize
}

// HeaderSize returns the number of bytes the header of a pack holding blobs
// occupies at its end: encrypted header plus trailer.
func HeaderSize(blobs []Blob) int {
	n := HeaderOverhead
	for _, b := range blobs {
		n += EntrySize(b)
	}
	return n
}

// PackSize returns the size of a pack holding exactly blobs:
// 36 + Σ(entry size + length). check and prune compare it with the real
// size of the pack file.
func PackSize(blobs []Blob) int64 {
	n := int64(HeaderOverhead)
	for _, b := range blobs {
		n += int64(EntrySize(b)) + int64(b.Length)
	}
	return n
}
