package repo

import "github.com/klauspost/compress/zstd"

// sampleSize is the size of the probe compressible compresses.
const sampleSize = 16 << 10

// compressible reports whether a data blob is worth compressing: blobs of
// up to four samples are always tried; larger ones only when a sample from
// their middle shrinks by at least 2%. Random or already compressed data
// (encrypted dumps, media) is then stored plain without spending a full
// compression on it.
func compressible(enc *zstd.Encoder, data []byte) bool {
	if len(data) <= 4*sampleSize {
		return true
	}
	mid := len(data)/2 - sampleSize/2
	sample := data[mid : mid+sampleSize]
	var buf [sampleSize + 512]byte
	frame := enc.EncodeAll(sample, buf[:0])
	return len(frame) < sampleSize*98/100
}
