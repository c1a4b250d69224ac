package pack

import (
	"bytes"
	"context"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

func TestResticPack(t *testing.T) {
	data := resticPack(t)
	key := resticKey(t)
	if len(data) != 129 {
		t.Fatalf("fixture has %d bytes, want 129", len(data))
	}
	if got := id.Hash(data).String(); got != resticPackID {
		t.Fatalf("pack hashes to %s, want %s", got, resticPackID)
	}
	want := Blob{Type: DataBlob, ID: mustID(t, resticBlobID), Offset: 0, Length: 52, UncompressedLength: 11}

	blobs, err := ParseHeader(key, data, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) != 1 || blobs[0] != want {
		t.Fatalf("ParseHeader = %v, want [%v]", blobs, want)
	}

	blobs, hdrSize, err := ReadHeader(context.Background(), bytes.NewReader(data), int64(len(data)), key)
	if err != nil {
		t.Fatal(err)
	}
	if len(blobs) != 1 || blobs[0] != want {
		t.Fatalf("ReadHeader = %v, want [%v]", blobs, want)
	}
	if hdrSize != 73+4 || int(hdrSize) != HeaderSize(blobs) {
		t.Errorf("header size %d, HeaderSize %d, want 77", hdrSize, HeaderSize(blobs))
	}
	if got := PackSize(blobs); got != int64(len(data)) {
		t.Errorf("PackSize = %d, want %d", got, len(data))
	}

	plain, err := DecodeBlob(key, blobs[0], data[blobs[0].Offset:blobs[0].Offset+blobs[0].Length])
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != "stdin data\n" {
		t.Fatalf("blob plaintext %q", plain)
	}
	if blobs[0].PlaintextLength() != 11 || !blobs[0].IsCompressed() {
		t.Errorf("PlaintextLength %d, IsCompressed %v", blobs[0].PlaintextLength(), blobs[0].IsCompressed())
	}
}

// The blob plaintext restic stored is the zstd frame from §16.2; decrypting
// it must give exactly those bytes, and our decoder must accept it.
func TestResticBlobFrame(t *testing.T) {
	data := resticPack(t)
	frame, err := resticKey(t).Open(nil, data[:52])
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "28b52ffd0000590000737464696e20646174610a"); !bytes.Equal(frame, want) {
		t.Fatalf("frame %x, want %x", frame, want)
	}
	out, err := decompress(frame, 11)
	if err != nil || string(out) != "stdin data\n" {
		t.Fatalf("decompress = %q, %v", out, err)
	}
}
