package pack

import (
	"bytes"
	"crypto/rand"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/klauspost/compress/zstd"
)

// Our encoder settings must reproduce restic's frames and stored sizes
// (fact sheet §16.2).
func TestEncodeBlobMatchesRestic(t *testing.T) {
	key := crypto.NewRandomKey()
	stored, ulen := EncodeBlob(key, []byte("stdin data\n"), true, nil)
	if len(stored) != 52 || ulen != 11 {
		t.Fatalf("stored %d bytes, ulen %d; restic stores 52, 11", len(stored), ulen)
	}
	frame, err := key.Open(nil, stored)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "28b52ffd0000590000737464696e20646174610a"); !bytes.Equal(frame, want) {
		t.Errorf("frame %x, restic wrote %x", frame, want)
	}
	for _, tc := range []struct {
		plain string
		size  int
	}{{"x", 42}, {"{\"nodes\":[]}\n", 54}} {
		if stored, _ := EncodeBlob(key, []byte(tc.plain), true, nil); len(stored) != tc.size {
			t.Errorf("%q stored in %d bytes, restic uses %d", tc.plain, len(stored), tc.size)
		}
	}
}

func TestEncodeBlobVariants(t *testing.T) {
	key := crypto.NewRandomKey()
	best, err := NewEncoder(zstd.SpeedBestCompression)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 100000)
	rand.Read(random)
	for _, tc := range []struct {
		name     string
		plain    []byte
		compress bool
		enc      *zstd.Encoder
		wantU    uint32
	}{
		{"empty uncompressed", nil, false, nil, 0},
		{"empty compressed stays uncompressed", []byte{}, true, nil, 0},
		{"text uncompressed", []byte("hello"), false, nil, 0},
		{"text compressed", bytes.Repeat([]byte("hello "), 1000), true, nil, 6000},
		{"text best", bytes.Repeat([]byte("hello "), 1000), true, best, 6000},
		{"random compressed", random, true, nil, 100000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored, ulen := EncodeBlob(key, tc.plain, tc.compress, tc.enc)
			if ulen != tc.wantU {
				t.Fatalf("ulen %d, want %d", ulen, tc.wantU)
			}
			if ulen == 0 && len(stored) != len(tc.plain)+crypto.Extension {
				t.Fatalf("uncompressed blob stored in %d bytes", len(stored))
			}
			b := Blob{Type: DataBlob, ID: id.Hash(tc.plain), Length: uint32(len(stored)), UncompressedLength: ulen}
			plain, err := DecodeBlob(key, b, stored)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, tc.plain) {
				t.Fatal("plaintext differs")
			}
		})
	}
}

func TestDecodeBlobErrors(t *testing.T) {
	key := crypto.NewRandomKey()
	plain := bytes.Repeat([]byte("abc"), 100)
	stored, ulen := EncodeBlob(key, plain, true, nil)
	good := Blob{Type: TreeBlob, ID: id.Hash(plain), Length: uint32(len(stored)), UncompressedLength: ulen}
	raw, _ := EncodeBlob(key, plain, false, nil)
	rawBlob := Blob{Type: DataBlob, ID: id.Hash(plain), Length: uint32(len(raw))}
	flipped := bytes.Clone(stored)
	flipped[20] ^= 1

	with := func(f func(*Blob)) Blob { b := good; f(&b); return b }
	tests := []struct {
		name   string
		b      Blob
		stored []byte
		want   string
	}{
		{"short", good, stored[:len(stored)-1], "got"},
		{"long", good, append(bytes.Clone(stored), 0), "got"},
		{"flipped bit", good, flipped, "verification failed"},
		{"wrong id", with(func(b *Blob) { b.ID[0] ^= 1 }), stored, "hashes to"},
		{"ulen too small", with(func(b *Blob) { b.UncompressedLength-- }), stored, "decompress"},
		{"ulen too large", with(func(b *Blob) { b.UncompressedLength++ }), stored, "decompress"},
		{"not compressed but flagged", with(func(b *Blob) { b.Length = rawBlob.Length }), raw, "decompress"},
		{"compressed but not flagged", with(func(b *Blob) { b.UncompressedLength = 0 }), stored, "hashes to"},
		{"wrong key", good, key2Seal(t, plain), "verification failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBlob(key, tc.b, tc.stored)
			if !errors.Is(err, ErrBlobIntegrity) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrBlobIntegrity mentioning %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.b.ID.String()) {
				t.Errorf("error %q does not name the blob", err)
			}
		})
	}
}

func key2Seal(t *testing.T, plain []byte) []byte {
	t.Helper()
	s, _ := EncodeBlob(crypto.NewRandomKey(), plain, true, nil)
	return s
}

// A frame without a content size that expands far beyond the recorded
// length must be cut off, not decoded in full.
func TestDecompressBounded(t *testing.T) {
	enc, err := zstd.NewWriter(nil, zstd.WithSingleSegment(false), zstd.WithEncoderCRC(false))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc.Reset(&buf)
	zeros := make([]byte, 1<<20)
	for range 64 {
		enc.Write(zeros)
	}
	enc.Close()
	var h zstd.Header
	if err := h.Decode(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if h.HasFCS {
		t.Skip("encoder wrote a content size; bound is checked from the header")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := decompress(buf.Bytes(), 1000)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatalf("decoded %d bytes", len(out))
	}
	// One 128 KiB block may be decoded past the limit; 64 MiB must not be.
	if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
		t.Errorf("allocated %d bytes to decode into 1000", n)
	}
	t.Log(err)
}

func TestBlobTypeJSON(t *testing.T) {
	for _, tc := range []struct {
		t    BlobType
		json string
	}{{DataBlob, `"data"`}, {TreeBlob, `"tree"`}} {
		b, err := tc.t.MarshalJSON()
		if err != nil || string(b) != tc.json {
			t.Errorf("%v: %s %v", tc.t, b, err)
		}
		var got BlobType
		if err := got.UnmarshalJSON([]byte(tc.json)); err != nil || got != tc.t {
			t.Errorf("%s: %v %v", tc.json, got, err)
		}
		if tc.t.String() != strings.Trim(tc.json, `"`) {
			t.Errorf("String %q", tc.t.String())
		}
	}
	if _, err := InvalidBlob.MarshalJSON(); err == nil {
		t.Error("invalid type marshalled")
	}
	for _, s := range []string{`"Data"`, `"blob"`, `0`, `null`, `""`} {
		var got BlobType
		if err := got.UnmarshalJSON([]byte(s)); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
	if h := (Handle{Type: TreeBlob, ID: id.ID{0xbc, 0x87}}); h.String() != "tree/bc870000" {
		t.Errorf("Handle.String %q", h.String())
	}
}
