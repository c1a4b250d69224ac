package crypto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/scrypt"
)

// The scrypt test vectors of RFC 7914 §12.
func TestScryptRFC7914Vectors(t *testing.T) {
	tests := []struct {
		password, salt string
		n, r, p        int
		want           string
	}{
		{"", "", 16, 1, 1, "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"},
		{"password", "NaCl", 1024, 8, 16, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"},
		{"pleaseletmein", "SodiumChloride", 16384, 8, 1, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"},
		{"pleaseletmein", "SodiumChloride", 1048576, 8, 1, "2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa478e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("N=%d", tc.n), func(t *testing.T) {
			if tc.n > 1<<16 && testing.Short() {
				t.Skip("takes 1 GiB and seconds; skipped with -short")
			}
			got, err := Scrypt(tc.password, []byte(tc.salt), tc.n, tc.r, tc.p, 64)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.want {
				t.Errorf("got %x\nwant %s", got, tc.want)
			}
		})
	}
}

// The Salsa20/8 core vector of RFC 7914 §8.
func TestSalsa208Vector(t *testing.T) {
	in := words(t, "7e879a214f3ec9867ca940e641718f26baee555b8c61c1b50df846116dcd3b1dee24f319df9b3d8514121e4b5ac5aa3276021d2909c74829edebc68db8b8c25e")
	want := words(t, "a41f859c6608cc993b81cacb020cef05044b2181a2fd337dfd7b1c6396682f29b4393168e3c9e6bcfe6bc5b7a06d96bae424cc102c91745c24ad673dc7618f81")
	var x [16]uint32
	copy(x[:], in)
	salsa208(&x)
	if !slicesEqual(x[:], want) {
		t.Fatalf("got %08x\nwant %08x", x, want)
	}
}

// words decodes hex bytes into little-endian 32-bit words, as scrypt reads
// its blocks.
func words(t *testing.T, s string) []uint32 {
	t.Helper()
	b := unhex(t, s)
	w := make([]uint32, len(b)/4)
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return w
}

func slicesEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestScryptMatchesXCrypto compares the lanes, run on 1 to p+1 workers,
// with golang.org/x/crypto/scrypt on random inputs.
func TestScryptMatchesXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(7914, 1))
	params := []struct{ n, r, p int }{{2, 1, 1}, {16, 1, 1}, {16, 2, 3}, {64, 3, 7}, {256, 1, 17}, {32, 8, 5}, {1024, 8, 2}, {8, 16, 4}}
	for _, pr := range params {
		password := make([]byte, rng.IntN(40))
		salt := make([]byte, rng.IntN(80))
		for _, b := range [][]byte{password, salt} {
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
		}
		keyLen := 1 + rng.IntN(200)
		want, err := scrypt.Key(password, salt, pr.n, pr.r, pr.p, keyLen)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2, 3, pr.p + 1} {
			got, err := scryptKey(string(password), salt, pr.n, pr.r, pr.p, keyLen, workers)
			if err != nil {
				t.Fatalf("N=%d r=%d p=%d: %v", pr.n, pr.r, pr.p, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("N=%d r=%d p=%d keyLen=%d workers=%d: got %x, want %x", pr.n, pr.r, pr.p, keyLen, workers, got, want)
			}
		}
	}
}

func TestScryptRejectsBadParams(t *testing.T) {
	tests := []struct {
		n, r, p, keyLen int
		want            string
	}{
		{0, 8, 1, 64, "N=0 is not a power of two greater than 1"},
		{1, 8, 1, 64, "N=1 is not a power of two greater than 1"},
		{3, 8, 1, 64, "N=3 is not a power of two greater than 1"},
		{-16, 8, 1, 64, "N=-16 is not a power of two greater than 1"},
		{1 << 10, 0, 1, 64, "r=0 and p=1 must be positive"},
		{1 << 10, 8, -1, 64, "r=8 and p=-1 must be positive"},
		{1 << 10, 1 << 15, 1 << 15, 64, "r*p=1073741824 must be below 2^30"},
		{1 << 10, 1, 1 << 30, 64, "r*p=1073741824 must be below 2^30"},
		{1 << 60, 8, 1, 64, "need more memory than can be addressed"},
		{1 << 10, 8, 1, 0, "key length 0 out of range"},
	}
	for _, tc := range tests {
		_, err := Scrypt("pw", []byte("salt"), tc.n, tc.r, tc.p, tc.keyLen)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("N=%d r=%d p=%d keyLen=%d: got %v, want %q", tc.n, tc.r, tc.p, tc.keyLen, err, tc.want)
		}
	}
}

func TestScryptLanesAtOnce(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	tests := []struct{ n, r, p, want int }{
		{32768, 8, 5, min(5, procs, 8)},   // 32 MiB a lane: up to 8 fit the budget
		{1 << 20, 8, 4, 1},                // 1 GiB a lane: one at a time
		{1024, 8, 1, 1},                   // a single lane
		{16, 1, 1000, min(1000, procs)},   // tiny lanes: bounded by the processors
		{1 << 18, 8, 3, min(3, procs, 1)}, // 256 MiB a lane: exactly the budget
	}
	for _, tc := range tests {
		if got := lanesAtOnce(tc.n, tc.r, tc.p); got != tc.want {
			t.Errorf("N=%d r=%d p=%d: %d lanes at once, want %d", tc.n, tc.r, tc.p, got, tc.want)
		}
	}
}

// BenchmarkKDF derives a user key with restic's usual parameters
// (N=32768, r=8, p=5): "lanes" is our scrypt, "one-worker" the same
// with its lanes one after another (the cost of the mixing itself), and
// "x-crypto" the sequential golang.org/x/crypto/scrypt it replaced.
func BenchmarkKDF(b *testing.B) {
	salt := bytes.Repeat([]byte{0x5a}, SaltSize)
	p := DefaultParams
	b.Run("lanes", func(b *testing.B) {
		for b.Loop() {
			if _, err := DeriveKey("bench-password", salt, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-worker", func(b *testing.B) {
		for b.Loop() {
			if _, err := scryptKey("bench-password", salt, p.N, p.R, p.P, 64, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("x-crypto", func(b *testing.B) {
		for b.Loop() {
			if _, err := scrypt.Key([]byte("bench-password"), salt, p.N, p.R, p.P, 64); err != nil {
				b.Fatal(err)
			}
		}
	})
}
