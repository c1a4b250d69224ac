package pack

import (
	"encoding/hex"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// Facts read off a repository written by restic 0.18.1 (fact sheet §16.2).
const (
	resticPackHex = "90d5eaafdaf30d9f73a7b019a0edb48ff128ee888d0647c101e6540a3b4a4466618daadb2b110e4cdecaf8be6c43e485f8db99304bfe0e63135eaf70e3efad4feefbd4f03f69bb5737816684f287bb19a1af814fdc926bd1ccba8466a14a68cc00ab4fa121fb94165f5f3f7ce766a7e6f8dc7bdfb24bf82bbf7abd7c8e49000000"
	resticPackID  = "c43f41ef683a76672d69ff51f3bc17864a5fca8e234a59471593d97b03047c28"
	resticBlobID  = "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustID(t testing.TB, s string) id.ID {
	t.Helper()
	i, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// resticKey returns the master key of the §16.2 repository.
func resticKey(t testing.TB) *crypto.Key {
	t.Helper()
	k := &crypto.Key{}
	copy(k.Encrypt[:], unhex(t, "960ab2d961d0fa02dfe474e885e1409c883f0038d1ce47a4efeadaac107270e4"))
	copy(k.MAC.K[:], unhex(t, "e4e19bfa8711d4145c8e8ede83a4e7e0"))
	copy(k.MAC.R[:], unhex(t, "730d9af0dea1866a99808e12b958d4b0"))
	return k
}

func resticPack(t testing.TB) []byte {
	t.Helper()
	return unhex(t, resticPackHex)
}
