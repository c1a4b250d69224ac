package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Poly1305-AES vectors from Bernstein's paper, as listed in the fact sheet §16.1.
func TestPoly1305AESVectors(t *testing.T) {
	tests := []struct{ msg, r, k, nonce, want string }{
		{"f3f6", "851fc40c3467ac0be05cc20404f3f700", "ec074c835580741701425b623235add6", "fb447350c4e868c52ac3275cf9d4327e", "f4c633c3044fc145f84f335cb81953de"},
		{"", "a0f3080000f46400d0c7e9076c834403", "75deaa25c09f208e1dc4ce6b5cad3fbf", "61ee09218d29b0aaed7e154a2c5509cc", "dd3fab2251f11ac759f0887129cc2ee7"},
		{"663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136", "48443d0bb0d21109c89a100b5ce2c208", "6acb5f61a7176dd320c5c1eb2edcdc74", "ae212a55399729595dea458bc621ff0e", "0ee1c16bb73f0f4fd19881753c01cdbe"},
		{"ab0812724a7f1e342742cbed374d94d136c6b8795d45b3819830f2c04491faf0990c62e48b8018b2c3e4a0fa3134cb67fa83e158c994d961c4cb21095c1bf9", "12976a08c4426d0ce8a82407c4f48207", "e1a5668a4d5b66a5f68cc5424ed5982d", "9ae831e743978d3a23527c7128149e3a", "5154ad0d2cb26e01274fc51148491f1b"},
	}
	for i, tc := range tests {
		var m MACKey
		copy(m.K[:], unhex(t, tc.k))
		copy(m.R[:], unhex(t, tc.r))
		got := m.MAC(unhex(t, tc.nonce), unhex(t, tc.msg))
		if hex.EncodeToString(got[:]) != tc.want {
			t.Errorf("vector %d: got %x, want %s", i, got, tc.want)
		}
	}
}

func testKey(t testing.TB) *Key {
	k := &Key{}
	copy(k.Encrypt[:], unhex(t, "303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef"))
	copy(k.MAC.K[:], unhex(t, "ef4d8824cb80b2bcc5fbff8a9b12a42c"))
	copy(k.MAC.R[:], unhex(t, "cc8d4b948ee0ebfe1d415de921d10353"))
	return k
}

func TestOpenVector(t *testing.T) {
	obj := unhex(t, "69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750")
	pt, err := testKey(t).Open(nil, obj)
	if err != nil {
		t.Fatal(err)
	}
	if string(pt) != "Dies ist ein Test!" {
		t.Fatalf("got %q", pt)
	}
	for i := range obj {
		bad := bytes.Clone(obj)
		bad[i] ^= 0x01
		if _, err := testKey(t).Open(nil, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("flipped byte %d: got %v, want ErrUnauthenticated", i, err)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := NewRandomKey()
	for _, n := range []int{0, 1, 15, 16, 17, 1000, 1 << 20} {
		pt := bytes.Repeat([]byte{byte(n)}, n)
		obj := k.Seal(nil, pt)
		if len(obj) != n+Extension {
			t.Fatalf("len %d: sealed %d bytes", n, len(obj))
		}
		got, err := k.Open(nil, obj)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("len %d: round trip failed: %v", n, err)
		}
	}
	if _, err := k.Open(nil, make([]byte, 10)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("short object: %v", err)
	}
}

// The user key of the tiny restic 0.18.1 repository in the fact sheet §16.2.
func TestDeriveKeyVector(t *testing.T) {
	salt := unhex(t, "2be8f439af18e413510f53dde6bd786484f55b3a5cb963472d6ad5eeb43dc1f4313295217ee50cef080130d9d2032c45881cd9e8af8ac0ec3a35483b868e71b5")
	k, err := DeriveKey("testpw", salt, Params{N: 32768, R: 8, P: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k.Encrypt[:]); got != "627d9929d2c2c364999c9758e0e30e17c1640a50fafde3354e0d648b8e0d0470" {
		t.Errorf("encrypt key %s", got)
	}
	if got := hex.EncodeToString(k.MAC.K[:]); got != "924e665c1a595fecda13668562bad671" {
		t.Errorf("mac k %s", got)
	}
	if got := hex.EncodeToString(k.MAC.R[:]); got != "f1268aded0ad8fa00819789891c1dfd3" {
		t.Errorf("mac r %s", got)
	}
}

func TestParamsValidate(t *testing.T) {
	for _, p := range []Params{{N: 0, R: 8, P: 1}, {N: 3, R: 8, P: 1}, {N: 1 << 30, R: 8, P: 1}, {N: 1024, R: 0, P: 1}, {N: 1024, R: 8, P: 0}} {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := DefaultParams.Validate(); err != nil {
		t.Fatal(err)
	}
}
