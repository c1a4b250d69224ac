package crypto

import "fmt"

// SaltSize is the length of the salt stored in every key file.
const SaltSize = 64

// Params are scrypt's cost parameters as stored in a key file.
type Params struct {
	N int
	R int
	P int
}

// DefaultParams are the parameters restic typically calibrates to on a
// modern machine (N=32768, r=8) with a moderate p.
var DefaultParams = Params{N: 32768, R: 8, P: 5}

// Validate rejects parameters scrypt would refuse or that would let a
// hostile key file demand unbounded memory or time.
func (p Params) Validate() error {
	if p.N <= 1 || p.N&(p.N-1) != 0 {
		return fmt.Errorf("scrypt N=%d is not a power of two greater than 1", p.N)
	}
	if p.R <= 0 || p.P <= 0 || uint64(p.R)*uint64(p.P) >= 1<<30 {
		return fmt.Errorf("scrypt r=%d p=%d out of range", p.R, p.P)
	}
	// 128*r*N bytes of memory: refuse anything above 1 GiB.
	if uint64(128)*uint64(p.R)*uint64(p.N) > 1<<30 {
		return fmt.Errorf("scrypt N=%d r=%d needs more than 1 GiB of memory", p.N, p.R)
	}
	if p.P > 1024 {
		return fmt.Errorf("scrypt p=%d is too large", p.P)
	}
	return nil
}

// DeriveKey derives the user key from password and salt with scrypt
// (Scrypt: its p lanes run in parallel): bytes 0-31 are the AES key,
// 32-47 the MAC K, 48-63 the MAC R.
func DeriveKey(password string, salt []byte, p Params) (*Key, error) {
	if len(salt) != SaltSize {
		return nil, fmt.Errorf("scrypt salt is %d bytes, want %d", len(salt), SaltSize)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	dk, err := Scrypt(password, salt, p.N, p.R, p.P, 64)
	if err != nil {
		return nil, err
	}
	k := &Key{}
	copy(k.Encrypt[:], dk[:32])
	copy(k.MAC.K[:], dk[32:48])
	copy(k.MAC.R[:], dk[48:64])
	return k, nil
}
