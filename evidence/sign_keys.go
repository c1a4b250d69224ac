package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
)

// PEM block types of the signing keys (those of openssl genpkey
// -algorithm ed25519 and openssl pkey -pubout).
const (
	privateKeyPEMType = "PRIVATE KEY"
	publicKeyPEMType  = "PUBLIC KEY"
)

// GenerateKey creates an ed25519 signing key pair from rand (nil means
// crypto/rand) and returns the private key as PEM (PKCS #8), the public
// key as PEM (PKIX) and the public key's KeyID.
func GenerateKey(rand io.Reader) (privPEM, pubPEM []byte, keyID string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generate ed25519 key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, "", fmt.Errorf("encode private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, "", fmt.Errorf("encode public key: %w", err)
	}
	privPEM = pem.EncodeToMemory(&pem.Block{Type: privateKeyPEMType, Bytes: privDER})
	pubPEM = pem.EncodeToMemory(&pem.Block{Type: publicKeyPEMType, Bytes: pubDER})
	return privPEM, pubPEM, KeyID(pub), nil
}

// KeyID is the short fingerprint of a public key that signatures name:
// the first 16 hex digits of the SHA-256 of its 32 raw bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ParsePrivateKey decodes an ed25519 private key from PEM (PKCS #8,
// "PRIVATE KEY"). Its errors never contain key material.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	der, err := pemBlock(b, privateKeyPEMType)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("private key: not a valid PKCS #8 key")
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: %s, not ed25519", keyKind(k))
	}
	return priv, nil
}

// ParsePublicKey decodes an ed25519 public key from PEM (PKIX,
// "PUBLIC KEY").
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	der, err := pemBlock(b, publicKeyPEMType)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errors.New("public key: not a valid PKIX key")
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key: %s, not ed25519", keyKind(k))
	}
	return pub, nil
}

// pemBlock returns the bytes of the first PEM block of b, which must be
// of type want.
func pemBlock(b []byte, want string) ([]byte, error) {
	what := "private key"
	if want == publicKeyPEMType {
		what = "public key"
	}
	block, _ := pem.Decode(b)
	switch {
	case block == nil:
		return nil, fmt.Errorf("%s: no PEM block found (expected -----BEGIN %s-----)", what, want)
	case block.Type == want:
		return block.Bytes, nil
	case block.Type == "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%s: encrypted private keys are not supported", what)
	case block.Type == publicKeyPEMType:
		return nil, fmt.Errorf("%s: this is a public key (the .pub file); signing needs the private key (the .key file)", what)
	case block.Type == privateKeyPEMType:
		return nil, fmt.Errorf("%s: this is a private key (the .key file); verifying needs the public key (the .pub file)", what)
	}
	return nil, fmt.Errorf("%s: PEM block %q, expected %q", what, block.Type, want)
}

// keyKind names the type of a parsed key for an error message.
func keyKind(k any) string {
	return fmt.Sprintf("%T key", k)
}
