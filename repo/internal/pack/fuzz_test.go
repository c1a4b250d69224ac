package pack

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
)

// FuzzParseHeader feeds arbitrary tails and pack sizes to ParseHeader and
// ReadHeader under the §16.2 master key. Neither may panic, and a header
// that parses must describe the pack size exactly.
func FuzzParseHeader(f *testing.F) {
	key := resticKey(f)
	real := resticPack(f)
	f.Add(real, int64(len(real)))
	f.Add(real, int64(len(real)+1))
	f.Add(real[60:], int64(len(real)))
	p := NewPacker(key, nil)
	for _, b := range mixedBlobs(20) {
		stored, ulen := EncodeBlob(key, b.plain, b.compress, nil)
		if err := p.Add(b.t, [32]byte{byte(len(b.plain))}, stored, ulen); err != nil {
			f.Fatal(err)
		}
	}
	packed, _, err := p.Finalize()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(packed, int64(len(packed)))
	f.Add(packed[len(packed)-100:], int64(len(packed)))
	f.Add(setTrailer(real, 16<<20), int64(1<<40))

	f.Fuzz(func(t *testing.T, tail []byte, size int64) {
		if blobs, err := ParseHeader(key, tail, size); err == nil && PackSize(blobs) != size {
			t.Fatalf("header of %d blobs parsed for size %d but PackSize is %d", len(blobs), size, PackSize(blobs))
		}
		blobs, hdrSize, err := ReadHeader(context.Background(), bytes.NewReader(tail), int64(len(tail)), key)
		if err == nil && (PackSize(blobs) != int64(len(tail)) || int(hdrSize) != HeaderSize(blobs)) {
			t.Fatalf("ReadHeader: %d blobs, header %d, for a pack of %d bytes", len(blobs), hdrSize, len(tail))
		}
	})
}

// FuzzParseEntries fuzzes the decrypted-header parser, which the MAC keeps
// FuzzParseHeader from reaching. A header that parses must encode back to
// the same bytes and its blobs must fill the data area exactly.
func FuzzParseEntries(f *testing.F) {
	f.Add(unhex(f, "0234000000"+"0b000000"+resticBlobID), int64(52))
	f.Add(bytes.Join([][]byte{entry(0, 40, 0), entry(1, 50, 0), entry(2, 60, 7), entry(3, 70, 9)}, nil), int64(220))
	f.Add(entry(0, 40, 0)[:36], int64(40))
	f.Add([]byte{}, int64(0))
	f.Fuzz(func(t *testing.T, plain []byte, dataSize int64) {
		blobs, err := parseEntries(plain, dataSize)
		if err != nil {
			return
		}
		var enc []byte
		var off int64
		for _, b := range blobs {
			if int64(b.Offset) != off || b.Length < crypto.Extension || !b.Type.Valid() {
				t.Fatalf("bad blob %v at expected offset %d", b, off)
			}
			off += int64(b.Length)
			enc = appendEntry(enc, b)
		}
		if off != dataSize {
			t.Fatalf("blobs cover %d bytes, data area %d", off, dataSize)
		}
		if !bytes.Equal(enc, plain) {
			t.Fatalf("re-encoded header differs:\n%x\n%x", enc, plain)
		}
		if PackSize(blobs) != dataSize+int64(len(plain))+HeaderOverhead {
			t.Fatal("PackSize disagrees with the header")
		}
	})
}

// An authentic header announcing a huge pack size must not make ReadHeader
// allocate more than the header it reads.
func TestReadHeaderHugeSize(t *testing.T) {
	key := resticKey(t)
	real := resticPack(t)
	tail := binary.LittleEndian.AppendUint32(nil, 16<<20)
	_, _, err := ReadHeader(context.Background(), bytes.NewReader(append(bytes.Clone(real), tail...)), 1<<40, key)
	if err == nil {
		t.Fatal("no error")
	}
}
