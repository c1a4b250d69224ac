package pack

import (
	"math"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// MaxDecodedSize bounds what the shared Decoder decompresses from one input,
// so a hostile index, snapshot or lock file cannot exhaust memory.
const MaxDecodedSize = 1 << 30

// zstdWindowSize is the encoder window restic uses.
const zstdWindowSize = 512 << 10

// NewEncoder returns a zstd encoder with restic's settings: the given level
// (zstd.SpeedDefault for --compression auto, zstd.SpeedBestCompression for
// max), no frame checksum and a 512 KiB window. Use its EncodeAll, which
// writes one frame per object and is safe for concurrent use.
func NewEncoder(level zstd.EncoderLevel) (*zstd.Encoder, error) {
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(level),
		zstd.WithEncoderCRC(false),
		zstd.WithWindowSize(zstdWindowSize),
	)
}

// NewDecoder returns a zstd decoder for DecodeAll that refuses to produce
// more than maxSize bytes from one input. DecodeAll is safe for concurrent
// use; up to GOMAXPROCS calls run in parallel.
func NewDecoder(maxSize uint64) (*zstd.Decoder, error) {
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(maxSize),
	)
}

var (
	sharedEncoder = sync.OnceValue(func() *zstd.Encoder { return must(NewEncoder(zstd.SpeedDefault)) })
	sharedDecoder = sync.OnceValue(func() *zstd.Decoder { return must(NewDecoder(MaxDecodedSize)) })
	// blobDecoder decodes at most cap(dst)-len(dst) bytes per DecodeAll, so
	// DecodeBlob allocates no more than the blob's recorded size.
	blobDecoder = sync.OnceValue(func() *zstd.Decoder {
		return must(zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(math.MaxUint32),
			zstd.WithDecodeAllCapLimit(true),
		))
	})
)

// Encoder returns the process-wide encoder at zstd.SpeedDefault, created on
// first use. Its EncodeAll is safe for concurrent use; never Close it.
func Encoder() *zstd.Encoder { return sharedEncoder() }

// Decoder returns the process-wide decoder limited to MaxDecodedSize,
// created on first use. Its DecodeAll is safe for concurrent use; never
// Close it.
func Decoder() *zstd.Decoder { return sharedDecoder() }

// must panics on an error that only a programming mistake in the fixed
// options above could cause.
func must[T any](v T, err error) T {
	if err != nil {
		panic("pack: zstd: " + err.Error())
	}
	return v
}
