package repo

import (
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// maxUnpackedSize bounds the decompressed size of index, snapshot and lock
// files so a hostile repository cannot exhaust memory.
const maxUnpackedSize = 1 << 30

// encodeUnpacked returns the plaintext of an index, snapshot or lock file:
// raw JSON in v1, 0x02 followed by a zstd frame in v2.
func encodeUnpacked(version uint, js []byte) []byte {
	if version < 2 {
		return js
	}
	out := make([]byte, 1, len(js)/2+16)
	out[0] = 2
	return pack.Encoder().EncodeAll(js, out)
}

// decodeUnpacked reverses encodeUnpacked, accepting raw JSON in v2 too.
func decodeUnpacked(version uint, plain []byte) ([]byte, error) {
	if version < 2 || len(plain) == 0 || plain[0] == '{' || plain[0] == '[' {
		return plain, nil
	}
	if plain[0] != 2 {
		return nil, fmt.Errorf("not supported encoding format %#x", plain[0])
	}
	out, err := pack.Decoder().DecodeAll(plain[1:], nil)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	if len(out) > maxUnpackedSize {
		return nil, fmt.Errorf("decompressed file larger than %d bytes", maxUnpackedSize)
	}
	return out, nil
}
