package pack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

type testBlob struct {
	t        BlobType
	plain    []byte
	compress bool
}

// buildPack packs blobs with a fresh key and returns the key, the pack and
// its blobs.
func buildPack(t testing.TB, blobs []testBlob) (*crypto.Key, []byte, []Blob) {
	t.Helper()
	key := crypto.NewRandomKey()
	p := NewPacker(key, nil)
	for _, b := range blobs {
		stored, ulen := EncodeBlob(key, b.plain, b.compress, nil)
		if err := p.Add(b.t, id.Hash(b.plain), stored, ulen); err != nil {
			t.Fatal(err)
		}
	}
	data, got, err := p.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	return key, data, got
}

func mixedBlobs(n int) []testBlob {
	var bs []testBlob
	for i := range n {
		plain := bytes.Repeat([]byte(fmt.Sprintf("blob %d ", i)), i*7)
		bs = append(bs, testBlob{t: DataBlob, plain: plain, compress: i%2 == 0})
	}
	return bs
}

func TestPackerRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 15, 16, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := mixedBlobs(n)
			key, data, blobs := buildPack(t, in)
			if int64(len(data)) != PackSize(blobs) {
				t.Fatalf("pack has %d bytes, PackSize says %d", len(data), PackSize(blobs))
			}
			rd := &countingReaderAt{r: bytes.NewReader(data)}
			got, hdrSize, err := ReadHeader(context.Background(), rd, int64(len(data)), key)
			if err != nil {
				t.Fatal(err)
			}
			if int(hdrSize) != HeaderSize(blobs) {
				t.Errorf("header size %d, HeaderSize %d", hdrSize, HeaderSize(blobs))
			}
			if wantReads := 1 + btoi(HeaderSize(blobs) > EagerReadSize); rd.n != wantReads {
				t.Errorf("%d reads, want %d", rd.n, wantReads)
			}
			if len(got) != len(blobs) {
				t.Fatalf("got %d blobs, want %d", len(got), len(blobs))
			}
			var off uint32
			for i, b := range got {
				if b != blobs[i] {
					t.Errorf("blob %d: got %v, want %v", i, b, blobs[i])
				}
				if b.Offset != off {
					t.Errorf("blob %d at offset %d, want %d", i, b.Offset, off)
				}
				off += b.Length
				wantU := uint32(0)
				if in[i].compress && len(in[i].plain) > 0 {
					wantU = uint32(len(in[i].plain))
				}
				if b.UncompressedLength != wantU {
					t.Errorf("blob %d: uncompressed length %d, want %d", i, b.UncompressedLength, wantU)
				}
				plain, err := DecodeBlob(key, b, data[b.Offset:b.Offset+b.Length])
				if err != nil {
					t.Fatalf("blob %d: %v", i, err)
				}
				if !bytes.Equal(plain, in[i].plain) {
					t.Errorf("blob %d: plaintext differs", i)
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

type countingReaderAt struct {
	r io.ReaderAt
	n int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.n++
	return c.r.ReadAt(p, off)
}

func TestPackerReusesBuffer(t *testing.T) {
	key := crypto.NewRandomKey()
	buf := make([]byte, 17, 4096)
	p := NewPacker(key, buf)
	stored, ulen := EncodeBlob(key, []byte("x"), false, nil)
	if err := p.Add(TreeBlob, id.Hash([]byte("x")), stored, ulen); err != nil {
		t.Fatal(err)
	}
	if p.Size() != len(stored) || p.Count() != 1 {
		t.Fatalf("Size %d Count %d", p.Size(), p.Count())
	}
	data, blobs, err := p.Finalize()
	if err != nil {
		t.Fatal(err)
	}
	if &data[0] != &buf[:1][0] {
		t.Error("packer did not build in the given buffer")
	}
	if blobs[0].Type != TreeBlob || blobs[0].Offset != 0 {
		t.Errorf("blob %v", blobs[0])
	}
}

func TestPackerErrors(t *testing.T) {
	key := crypto.NewRandomKey()
	p := NewPacker(key, nil)
	if _, _, err := p.Finalize(); err == nil {
		t.Error("finalize of an empty pack succeeded")
	}
	p = NewPacker(key, nil)
	if err := p.Add(InvalidBlob, id.ID{}, make([]byte, 40), 0); err == nil {
		t.Error("add with invalid type succeeded")
	}
	if err := p.Add(DataBlob, id.ID{}, make([]byte, 31), 0); err == nil {
		t.Error("add of 31 stored bytes succeeded")
	}
	if p.Count() != 0 || p.Size() != 0 {
		t.Fatalf("failed adds changed the packer: Count %d Size %d", p.Count(), p.Size())
	}
	if err := p.Add(DataBlob, id.ID{1}, make([]byte, 32), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Finalize(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Finalize(); err == nil {
		t.Error("second finalize succeeded")
	}
	if err := p.Add(DataBlob, id.ID{2}, make([]byte, 32), 0); err == nil {
		t.Error("add after finalize succeeded")
	}
}

func TestPackerFull(t *testing.T) {
	p := NewPacker(crypto.NewRandomKey(), nil)
	// 409 199 compressed entries fit in a 16 MiB header; pretend to be one
	// short of that.
	const maxEntries = (MaxHeaderSize - crypto.Extension) / CompressedEntrySize
	if maxEntries != 409199 {
		t.Fatalf("max entries %d, want 409199", maxEntries)
	}
	p.hdrLen = (maxEntries - 1) * CompressedEntrySize
	if p.Full() {
		t.Fatal("full with room for one more entry")
	}
	if err := p.Add(DataBlob, id.ID{1}, make([]byte, 40), 5); err != nil {
		t.Fatal(err)
	}
	if !p.Full() {
		t.Fatal("not full at the maximum header size")
	}
	if err := p.Add(DataBlob, id.ID{2}, make([]byte, 40), 5); !errors.Is(err, ErrPackFull) {
		t.Fatalf("add to full packer: %v, want ErrPackFull", err)
	}
}

func TestSizes(t *testing.T) {
	plain := Blob{Length: 100}
	comp := Blob{Length: 60, UncompressedLength: 200}
	if EntrySize(plain) != 37 || EntrySize(comp) != 41 {
		t.Fatalf("entry sizes %d %d", EntrySize(plain), EntrySize(comp))
	}
	blobs := []Blob{plain, comp}
	if got := HeaderSize(blobs); got != 36+37+41 {
		t.Errorf("HeaderSize = %d", got)
	}
	if got := PackSize(blobs); got != 36+37+100+41+60 {
		t.Errorf("PackSize = %d", got)
	}
	if plain.PlaintextLength() != 68 || comp.PlaintextLength() != 200 || (Blob{Length: 3}).PlaintextLength() != 0 {
		t.Error("PlaintextLength")
	}
}
