// Package pack reads and writes restic pack files and the blobs inside them.
//
// A pack is the concatenation of encrypted blobs, starting at offset 0 with
// no gaps, followed by the encrypted pack header and a 4-byte little-endian
// trailer holding the length of the encrypted header:
//
//	Blob_1 ‖ … ‖ Blob_n ‖ IV ‖ encrypt(entries) ‖ MAC ‖ uint32le(len(IV ‖ … ‖ MAC))
//
// Each header entry names a blob's type, stored length and ID, plus its
// uncompressed length when the blob is zstd-compressed (repository v2). The
// header stores no offsets: a blob's offset is the sum of the lengths before
// it.
//
// ParseHeader and ReadHeader validate a header strictly: the blobs and the
// header must fill the pack exactly. Packer assembles a pack in memory, and
// EncodeBlob / DecodeBlob turn plaintext into stored blob bytes and back.
package pack
