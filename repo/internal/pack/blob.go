package pack

import (
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// BlobType is the type of a blob: data (file content) or tree (directory
// listing). The zero value is InvalidBlob.
type BlobType uint8

// The blob types.
const (
	// InvalidBlob is the zero BlobType; it never appears in a valid pack.
	InvalidBlob BlobType = iota
	// DataBlob holds a chunk of file content.
	DataBlob
	// TreeBlob holds a directory listing as JSON.
	TreeBlob
)

// String returns "data", "tree" or "invalid".
func (t BlobType) String() string {
	switch t {
	case DataBlob:
		return "data"
	case TreeBlob:
		return "tree"
	}
	return fmt.Sprintf("invalid(%d)", uint8(t))
}

// Valid reports whether t is DataBlob or TreeBlob.
func (t BlobType) Valid() bool { return t == DataBlob || t == TreeBlob }

// MarshalJSON encodes t as "data" or "tree"; any other value is an error.
func (t BlobType) MarshalJSON() ([]byte, error) {
	switch t {
	case DataBlob:
		return []byte(`"data"`), nil
	case TreeBlob:
		return []byte(`"tree"`), nil
	}
	return nil, fmt.Errorf("invalid blob type %d", uint8(t))
}

// UnmarshalJSON accepts exactly "data" or "tree".
func (t *BlobType) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"data"`:
		*t = DataBlob
	case `"tree"`:
		*t = TreeBlob
	default:
		return fmt.Errorf("invalid blob type %.40s", b)
	}
	return nil
}

// Handle names a blob. A data and a tree blob with the same ID are
// different blobs.
type Handle struct {
	ID   id.ID
	Type BlobType
}

// String returns the type and the short ID, e.g. "data/bc87a7dc".
func (h Handle) String() string { return h.Type.String() + "/" + h.ID.Str() }

// Blob describes one blob inside a pack.
type Blob struct {
	Type BlobType
	// ID is the SHA-256 of the uncompressed plaintext.
	ID id.ID
	// Offset is the position of the stored blob in the pack.
	Offset uint32
	// Length is the stored length, including the 32 bytes of IV and MAC.
	Length uint32
	// UncompressedLength is the plaintext length of a compressed blob and 0
	// for a blob stored without compression.
	UncompressedLength uint32
}

// Handle returns the blob's ID and type.
func (b Blob) Handle() Handle { return Handle{ID: b.ID, Type: b.Type} }

// IsCompressed reports whether the blob is stored zstd-compressed.
func (b Blob) IsCompressed() bool { return b.UncompressedLength != 0 }

// PlaintextLength returns the length of the blob's uncompressed plaintext:
// UncompressedLength when compressed, otherwise Length minus the encryption
// overhead (0 if Length is shorter than that overhead).
func (b Blob) PlaintextLength() uint32 {
	if b.UncompressedLength != 0 {
		return b.UncompressedLength
	}
	if b.Length < crypto.Extension {
		return 0
	}
	return b.Length - crypto.Extension
}

// String returns a short description for logs and errors.
func (b Blob) String() string {
	return fmt.Sprintf("%v/%v offset %d length %d uncompressed %d", b.Type, b.ID.Str(), b.Offset, b.Length, b.UncompressedLength)
}
