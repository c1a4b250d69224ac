// Package crypto implements restic's authenticated encryption: AES-256-CTR
// with a Poly1305-AES MAC over the ciphertext, and scrypt-derived user keys.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/poly1305"
)

const (
	// IVSize is the length of the random IV that prefixes every object.
	IVSize = 16
	// MACSize is the length of the Poly1305 tag that ends every object.
	MACSize = 16
	// Extension is the number of bytes encryption adds to a plaintext.
	Extension = IVSize + MACSize
)

// ErrUnauthenticated is returned when a ciphertext's MAC does not verify.
var ErrUnauthenticated = errors.New("ciphertext verification failed")

// MACKey is the Poly1305-AES key: K is the AES-128 key, R the unclamped
// Poly1305 multiplier.
type MACKey struct {
	K [16]byte
	R [16]byte
}

// Key is a master or user key: an AES-256 encryption key and a MAC key.
type Key struct {
	MAC     MACKey
	Encrypt [32]byte
}

// NewRandomKey returns a key drawn from crypto/rand.
func NewRandomKey() *Key {
	k := &Key{}
	mustRead(k.Encrypt[:])
	mustRead(k.MAC.K[:])
	mustRead(k.MAC.R[:])
	return k
}

func mustRead(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
}

// Valid reports whether no part of the key is all zero.
func (k *Key) Valid() bool {
	var z16 [16]byte
	var z32 [32]byte
	return k != nil && k.Encrypt != z32 && k.MAC.K != z16 && k.MAC.R != z16
}

func (m *MACKey) tag(iv, ciphertext []byte) [MACSize]byte {
	block, err := aes.NewCipher(m.K[:])
	if err != nil {
		panic(err)
	}
	var otk [32]byte
	copy(otk[:16], m.R[:]) // poly1305.Sum clamps r itself
	block.Encrypt(otk[16:], iv)
	var out [MACSize]byte
	poly1305.Sum(&out, ciphertext, &otk)
	return out
}

// MAC returns the Poly1305-AES tag of msg under nonce, as restic computes it.
func (m *MACKey) MAC(nonce, msg []byte) [MACSize]byte { return m.tag(nonce, msg) }

// Seal appends IV || AES-CTR(plaintext) || MAC to dst and returns the result.
// A fresh random IV is used for every call.
func (k *Key) Seal(dst, plaintext []byte) []byte {
	var iv [IVSize]byte
	for {
		mustRead(iv[:])
		if iv != [IVSize]byte{} {
			break
		}
	}
	n := len(dst)
	need := n + Extension + len(plaintext)
	if cap(dst) < need {
		nb := make([]byte, n, need)
		copy(nb, dst)
		dst = nb
	}
	dst = dst[:need]
	copy(dst[n:], iv[:])
	ct := dst[n+IVSize : n+IVSize+len(plaintext)]
	k.ctr(iv[:]).XORKeyStream(ct, plaintext)
	tag := k.MAC.tag(iv[:], ct)
	copy(dst[n+IVSize+len(plaintext):], tag[:])
	return dst
}

func (k *Key) ctr(iv []byte) cipher.Stream {
	block, err := aes.NewCipher(k.Encrypt[:])
	if err != nil {
		panic(err)
	}
	return cipher.NewCTR(block, iv)
}

// Open verifies and decrypts an IV || ciphertext || MAC object, appending
// the plaintext to dst. It returns ErrUnauthenticated when the MAC does not
// match; the ciphertext is never decrypted in that case.
func (k *Key) Open(dst, object []byte) ([]byte, error) {
	if len(object) < Extension {
		return nil, fmt.Errorf("encrypted object of %d bytes is shorter than %d: %w", len(object), Extension, ErrUnauthenticated)
	}
	iv := object[:IVSize]
	if [IVSize]byte(iv) == [IVSize]byte{} {
		return nil, fmt.Errorf("all-zero IV: %w", ErrUnauthenticated)
	}
	ct := object[IVSize : len(object)-MACSize]
	want := object[len(object)-MACSize:]
	got := k.MAC.tag(iv, ct)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return nil, ErrUnauthenticated
	}
	n := len(dst)
	if cap(dst)-n < len(ct) {
		nb := make([]byte, n, n+len(ct))
		copy(nb, dst)
		dst = nb
	}
	dst = dst[:n+len(ct)]
	k.ctr(iv).XORKeyStream(dst[n:], ct)
	return dst, nil
}
