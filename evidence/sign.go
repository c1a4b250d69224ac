package evidence

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SignatureKind is the kind of a detached signature file.
const SignatureKind = "evidence_signature"

// SignatureAlgorithm is the only signature algorithm.
const SignatureAlgorithm = "ed25519"

// ErrSignatureMismatch is wrapped by Verify's error when the signature
// does not hold for the document and key: the document was changed after
// signing, or another key signed it.
var ErrSignatureMismatch = errors.New("signature does not match")

// Signature is a detached signature file (docs/EVIDENCE_JSON.md,
// "Signing"). Sig is the ed25519 signature of the canonical form
// (Canonicalization) of the evidence JSON; it covers the document only,
// not the other fields of this file.
type Signature struct {
	SchemaVersion    int    `json:"schema_version"`
	Kind             string `json:"kind"`
	Algorithm        string `json:"algorithm"`
	Canonicalization string `json:"canonicalization"`
	// KeyID is the KeyID of the public key that verifies Sig.
	KeyID string `json:"key_id"`
	// SignedAt is when the signature was made, in UTC, to the second.
	SignedAt time.Time `json:"signed_at"`
	// Sig is the 64-byte signature, base64 (standard, padded) in JSON.
	Sig []byte `json:"signature"`
}

// Sign signs the canonical form of the evidence JSON doc with key and
// returns the signature file's content: one line of JSON, signed_at set
// to now. The rendering of doc does not matter: any JSON with the same
// values verifies.
func Sign(doc []byte, key ed25519.PrivateKey, now time.Time) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("sign evidence: invalid ed25519 private key")
	}
	msg, err := Canonicalize(doc)
	if err != nil {
		return nil, fmt.Errorf("sign evidence: %w", err)
	}
	s := Signature{SchemaVersion: 1, Kind: SignatureKind, Algorithm: SignatureAlgorithm,
		Canonicalization: Canonicalization, KeyID: KeyID(key.Public().(ed25519.PublicKey)),
		SignedAt: now.UTC().Truncate(time.Second), Sig: ed25519.Sign(key, msg)}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("sign evidence: %w", err)
	}
	return append(b, '\n'), nil
}

// Verify checks that sig, a signature file's content, is key's signature
// of the evidence JSON doc, and returns the signature file. When the
// signature does not hold, or names another key, the error wraps
// ErrSignatureMismatch; a malformed signature file or document, or an
// unknown algorithm, gives another error.
func Verify(doc, sig []byte, key ed25519.PublicKey) (*Signature, error) {
	if len(key) != ed25519.PublicKeySize {
		return nil, errors.New("verify evidence: invalid ed25519 public key")
	}
	var s Signature
	if err := json.Unmarshal(sig, &s); err != nil {
		return nil, fmt.Errorf("signature file is not a signature: %w", err)
	}
	switch {
	case s.Kind != SignatureKind:
		return nil, fmt.Errorf("signature file: kind %q, expected %q", s.Kind, SignatureKind)
	case s.Algorithm != SignatureAlgorithm:
		return nil, fmt.Errorf("signature file: algorithm %q is not supported (only %s)", s.Algorithm, SignatureAlgorithm)
	case s.Canonicalization != Canonicalization:
		return nil, fmt.Errorf("signature file: canonicalization %q is not supported (only %s)", s.Canonicalization, Canonicalization)
	case len(s.Sig) != ed25519.SignatureSize:
		return nil, fmt.Errorf("signature file: signature is %d bytes, expected %d", len(s.Sig), ed25519.SignatureSize)
	}
	msg, err := Canonicalize(doc)
	if err != nil {
		return nil, fmt.Errorf("evidence file: %w", err)
	}
	id := KeyID(key)
	if s.KeyID != id {
		return nil, fmt.Errorf("%w: signed by key %q, not by the given key %s", ErrSignatureMismatch, s.KeyID, id)
	}
	if !ed25519.Verify(key, msg, s.Sig) {
		return nil, fmt.Errorf("%w: the evidence was changed after it was signed, or key %s did not sign it", ErrSignatureMismatch, id)
	}
	return &s, nil
}
