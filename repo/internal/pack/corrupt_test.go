package pack

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
)

func setTrailer(data []byte, l uint32) []byte {
	data = bytes.Clone(data)
	binary.LittleEndian.PutUint32(data[len(data)-4:], l)
	return data
}

func TestCorruptPacks(t *testing.T) {
	good := resticPack(t)
	flip := func(i int) []byte {
		d := bytes.Clone(good)
		d[i] ^= 0x10
		return d
	}
	tests := []struct {
		name string
		data []byte
		want string // in the error message
	}{
		{"empty", nil, "no trailer"},
		{"three bytes", good[len(good)-3:], "no trailer"},
		{"trailer only", good[len(good)-4:], "exceeds pack size"},
		{"L zero", setTrailer(good, 0), "is zero"},
		{"L below 32", setTrailer(good, 31), "shorter than 32"},
		{"L exceeds pack", setTrailer(good, uint32(len(good)-3)), "exceeds pack size"},
		{"L exceeds 16 MiB", setTrailer(append(make([]byte, 17<<20), good...), 16<<20+1), "exceeds maximum"},
		{"L one too small", setTrailer(good, 72), "verification failed"},
		{"L one too big", setTrailer(good, 74), "verification failed"},
		{"truncated start", good[1:], "past the blob area of 51 bytes"},
		{"truncated end", good[:len(good)-1], "exceeds"},
		{"extra byte before", append([]byte{0}, good...), "blobs cover 52 bytes but 53"},
		{"extra byte after", append(bytes.Clone(good), 0), "is zero"},
		{"flipped header bit", flip(len(good) - 40), "verification failed"},
		{"flipped header IV bit", flip(52), "verification failed"},
		{"flipped header MAC bit", flip(len(good) - 5), "verification failed"},
	}
	key := resticKey(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			size := int64(len(tc.data))
			_, err := ParseHeader(key, tc.data, size)
			if !errors.Is(err, ErrInvalidHeader) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseHeader: %v, want ErrInvalidHeader mentioning %q", err, tc.want)
			}
			_, _, err = ReadHeader(context.Background(), bytes.NewReader(tc.data), size, key)
			if !errors.Is(err, ErrInvalidHeader) {
				t.Errorf("ReadHeader: %v, want ErrInvalidHeader", err)
			}
		})
	}
}

func TestReadHeaderShortReader(t *testing.T) {
	good := resticPack(t)
	// The file is shorter than the size the caller believes it has.
	_, _, err := ReadHeader(context.Background(), bytes.NewReader(good[:100]), int64(len(good)), resticKey(t))
	if err == nil {
		t.Fatal("no error for a short file")
	}
}

func TestReadHeaderCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	good := resticPack(t)
	if _, _, err := ReadHeader(ctx, bytes.NewReader(good), int64(len(good)), resticKey(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestParseHeaderShortTail(t *testing.T) {
	good := resticPack(t)
	_, err := ParseHeader(resticKey(t), good[len(good)-60:], int64(len(good)))
	if !errors.Is(err, ErrShortTail) {
		t.Fatalf("got %v, want ErrShortTail", err)
	}
}

func TestParseHeaderWrongKey(t *testing.T) {
	good := resticPack(t)
	_, err := ParseHeader(crypto.NewRandomKey(), good, int64(len(good)))
	if !errors.Is(err, ErrInvalidHeader) || !errors.Is(err, crypto.ErrUnauthenticated) {
		t.Fatalf("got %v, want ErrInvalidHeader and ErrUnauthenticated", err)
	}
}

// sealedPack builds a pack of dataSize zero bytes followed by hdr encrypted
// as its header, so that malformed but authentic headers can be tested.
func sealedPack(key *crypto.Key, dataSize int, hdr []byte) []byte {
	data := key.Seal(make([]byte, dataSize), hdr)
	return binary.LittleEndian.AppendUint32(data, uint32(len(hdr)+crypto.Extension))
}

func entry(typ byte, length, ulen uint32) []byte {
	e := []byte{typ}
	e = binary.LittleEndian.AppendUint32(e, length)
	if typ >= 2 {
		e = binary.LittleEndian.AppendUint32(e, ulen)
	}
	return append(e, bytes.Repeat([]byte{0xab}, 32)...)
}

func TestMalformedAuthenticHeaders(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name     string
		dataSize int
		hdr      []byte
	}{
		{"no entries", 0, nil},
		{"type 4", 40, entry(4, 40, 0)},
		{"type 255", 40, entry(255, 40, 0)},
		{"truncated plain entry", 40, entry(0, 40, 0)[:36]},
		{"truncated compressed entry", 40, entry(2, 40, 9)[:40]},
		{"trailing byte", 40, cat(entry(0, 40, 0), []byte{0})},
		{"compressed with zero length", 40, entry(3, 40, 0)},
		{"blob shorter than overhead", 31, entry(0, 31, 0)},
		{"gap after blobs", 41, entry(0, 40, 0)},
		{"blobs overlap header", 39, entry(0, 40, 0)},
		{"second blob overflows", 80, cat(entry(0, 40, 0), entry(1, 41, 0))},
		{"huge length", 80, cat(entry(0, 40, 0), entry(1, 0xffffffff, 0))},
	}
	key := crypto.NewRandomKey()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := sealedPack(key, tc.dataSize, tc.hdr)
			_, err := ParseHeader(key, data, int64(len(data)))
			if !errors.Is(err, ErrInvalidHeader) {
				t.Fatalf("got %v, want ErrInvalidHeader", err)
			}
			t.Log(err)
		})
	}

	// A well-formed mixed header parses, with compressed types.
	data := sealedPack(key, 40+50+60+70, cat(entry(0, 40, 0), entry(1, 50, 0), entry(2, 60, 7), entry(3, 70, 9)))
	blobs, err := ParseHeader(key, data, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Blob{
		{Type: DataBlob, Offset: 0, Length: 40},
		{Type: TreeBlob, Offset: 40, Length: 50},
		{Type: DataBlob, Offset: 90, Length: 60, UncompressedLength: 7},
		{Type: TreeBlob, Offset: 150, Length: 70, UncompressedLength: 9},
	}
	for i := range want {
		copy(want[i].ID[:], bytes.Repeat([]byte{0xab}, 32))
		if blobs[i] != want[i] {
			t.Errorf("blob %d: %v, want %v", i, blobs[i], want[i])
		}
	}
}
