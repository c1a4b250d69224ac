package repo

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
)

// keyCorpus is the seed corpus of FuzzParseKeyFile: key files written by
// restic 0.18.1 and 0.14.0 (password "test").
const keyCorpus = "testdata/fuzz/FuzzParseKeyFile"

// readCorpusFile decodes a one-[]byte Go fuzz corpus file.
func readCorpusFile(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("%s: not a []byte corpus file", name)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(s)
}

// TestParseKeyFileSeeds checks that the corpus holds real key files: they
// parse, and the restic 0.14 one (the cheapest to derive) opens with the
// password "test".
func TestParseKeyFileSeeds(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(keyCorpus, "restic-*"))
	if err != nil || len(names) < 2 {
		t.Fatalf("corpus: %v, %v", names, err)
	}
	for _, name := range names {
		k, err := parseKeyFile(readCorpusFile(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(name, "0.14") {
			continue
		}
		if m, err := k.open("test"); err != nil || !m.Valid() {
			t.Errorf("%s: open: %v", name, err)
		}
	}
}

// TestParseKeyFileRejectsCostlyParams checks that parameters demanding
// unbounded memory or time are refused without deriving anything.
func TestParseKeyFileRejectsCostlyParams(t *testing.T) {
	salt := strconv.Quote(strings.Repeat("A", 86) + "==") // 64 bytes
	for _, p := range []string{
		`"N":1073741824,"r":8,"p":1`, // 1 TiB of memory
		`"N":1048576,"r":16,"p":1`,   // 2 GiB
		`"N":16384,"r":8,"p":100000`, // p far beyond any calibration
		`"N":16384,"r":1073741824,"p":1`,
		`"N":16384,"r":65536,"p":65536`, // r*p >= 2^30
		`"N":-2,"r":8,"p":1`,
		`"N":16385,"r":8,"p":1`,
		`"N":16384,"r":0,"p":1`,
		`"N":16384,"r":8,"p":-1`,
		`"N":9223372036854775807,"r":8,"p":1`,
	} {
		data := []byte(`{"kdf":"scrypt",` + p + `,"salt":` + salt + `,"data":"AAAA"}`)
		start := time.Now()
		if _, err := parseKeyFile(data); err == nil {
			t.Errorf("%s: accepted", p)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", p, d)
		}
	}
}

// FuzzParseKeyFile must never panic, and must only accept scrypt
// parameters whose cost is bounded (at most 1 GiB of memory and p ≤ 1024),
// checked before any key is derived. Keys cheap enough are opened too.
func FuzzParseKeyFile(f *testing.F) {
	salt := `"` + strings.Repeat("A", 86) + `=="`
	for _, s := range []string{
		`{"kdf":"scrypt","N":16,"r":1,"p":1,"salt":` + salt + `,"data":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`,
		`{"kdf":"scrypt","N":1073741824,"r":8,"p":1,"salt":` + salt + `,"data":""}`,
		`{"kdf":"argon2","N":16,"r":1,"p":1,"salt":` + salt + `}`,
		`{"kdf":"scrypt","N":16,"r":1,"p":1,"salt":"AAAA"}`,
		`{}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := parseKeyFile(data)
		if err != nil {
			if k != nil {
				t.Fatalf("error %v with a key file", err)
			}
			return
		}
		params := crypto.Params{N: k.N, R: k.R, P: k.P}
		if err := params.Validate(); err != nil {
			t.Fatalf("accepted invalid %+v: %v", params, err)
		}
		if 128*uint64(k.R)*uint64(k.N) > 1<<30 || k.P > 1024 || k.KDF != "scrypt" || len(k.Salt) != crypto.SaltSize {
			t.Fatalf("accepted costly or malformed key file: %+v", k)
		}
		if uint64(k.N)*uint64(k.R)*uint64(k.P) <= 1<<14 {
			if m, err := k.open("test"); err == nil && (m == nil || !m.Valid()) {
				t.Fatalf("open returned an invalid master key without error")
			}
		}
	})
}

// rleFrame returns 0x02 and a zstd frame of n RLE blocks of 128 KiB.
func rleFrame(n int) []byte {
	b := []byte{2, 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38}
	for i := range n {
		last := byte(0)
		if i == n-1 {
			last = 1
		}
		b = append(b, 0x02|last, 0x00, 0x10, 'x')
	}
	return b
}

// FuzzDecodeUnpacked must never panic on hostile plaintext; what decodes
// is bounded and, when compressed, survives a round trip.
func FuzzDecodeUnpacked(f *testing.F) {
	js := []byte(`{"time":"2024-01-02T08:00:00+09:00","tree":"` + strings.Repeat("ab", 32) + `","paths":["/srv"]}`)
	zeros := bytes.Repeat([]byte{0}, 1<<20)
	for _, s := range [][]byte{
		encodeUnpacked(2, js),
		encodeUnpacked(2, zeros),
		encodeUnpacked(1, js),
		js, []byte(`[]`), {}, {2}, {3, 1, 2}, {2, 0x28, 0xb5, 0x2f, 0xfd},
		// A frame announcing 1 GiB - 1 of content that holds nothing.
		{2, 0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x00, 0xff, 0xff, 0xff, 0x3f, 0x01, 0x00, 0x00},
		rleFrame(8), // 1 MiB from 40 bytes
	} {
		f.Add(uint8(2), s)
		f.Add(uint8(1), s)
	}
	f.Fuzz(func(t *testing.T, version uint8, plain []byte) {
		v := uint(version % 4)
		out, err := decodeUnpacked(v, plain)
		if err != nil {
			return
		}
		if len(out) > maxUnpackedSize {
			t.Fatalf("decoded %d bytes, over the %d limit", len(out), maxUnpackedSize)
		}
		if v < 2 || len(plain) == 0 || plain[0] != 2 {
			if !bytes.Equal(out, plain) {
				t.Fatalf("raw plaintext changed by decoding")
			}
			return
		}
		again, err := decodeUnpacked(v, encodeUnpacked(v, out))
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
