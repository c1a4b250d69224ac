// Package id defines the 32-byte SHA-256 identifiers used for every object
// in a restic-format repository.
package id

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Size is the length of an ID in bytes.
const Size = sha256.Size

// ID is a SHA-256 hash that names a file or a blob.
type ID [Size]byte

// Hash returns the SHA-256 of data as an ID.
func Hash(data []byte) ID { return ID(sha256.Sum256(data)) }

// Parse decodes a 64-character lowercase or uppercase hex string.
func Parse(s string) (ID, error) {
	var i ID
	if len(s) != 2*Size {
		return i, fmt.Errorf("invalid id %q: want %d hex characters", s, 2*Size)
	}
	if _, err := hex.Decode(i[:], []byte(s)); err != nil {
		return i, fmt.Errorf("invalid id %q: %w", s, err)
	}
	return i, nil
}

// String returns the ID as 64 lowercase hex characters.
func (i ID) String() string { return hex.EncodeToString(i[:]) }

// Str returns the short form: the first 8 hex characters.
func (i ID) Str() string { return hex.EncodeToString(i[:4]) }

// IsNull reports whether the ID is all zero.
func (i ID) IsNull() bool { return i == ID{} }

// MarshalJSON encodes the ID as a hex string.
func (i ID) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 2*Size+2)
	buf[0] = '"'
	hex.Encode(buf[1:], i[:])
	buf[len(buf)-1] = '"'
	return buf, nil
}

// UnmarshalJSON decodes a hex string.
func (i *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("invalid id: %w", err)
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*i = p
	return nil
}
