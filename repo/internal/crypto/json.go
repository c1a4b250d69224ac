package crypto

import (
	"encoding/json"
	"fmt"
)

type macJSON struct {
	K []byte `json:"k"`
	R []byte `json:"r"`
}

type keyJSON struct {
	MAC     macJSON `json:"mac"`
	Encrypt []byte  `json:"encrypt"`
}

// MarshalJSON encodes the key as restic stores a master key:
// {"mac":{"k":...,"r":...},"encrypt":...} with base64 values.
func (k *Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(keyJSON{MAC: macJSON{K: k.MAC.K[:], R: k.MAC.R[:]}, Encrypt: k.Encrypt[:]})
}

// UnmarshalJSON decodes a master key and rejects wrong lengths.
func (k *Key) UnmarshalJSON(b []byte) error {
	var j keyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	if len(j.MAC.K) != 16 || len(j.MAC.R) != 16 || len(j.Encrypt) != 32 {
		return fmt.Errorf("master key: wrong key lengths (k=%d r=%d encrypt=%d)", len(j.MAC.K), len(j.MAC.R), len(j.Encrypt))
	}
	copy(k.MAC.K[:], j.MAC.K)
	copy(k.MAC.R[:], j.MAC.R)
	copy(k.Encrypt[:], j.Encrypt)
	return nil
}
