package index

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// IDs from the restic 0.18.1 repository of fact sheet §16.2. Only the
// first 4 bytes of the tree pack's ID are known; the rest is made up.
const (
	dataPackID = "c43f41ef683a76672d69ff51f3bc17864a5fca8e234a59471593d97b03047c28"
	dataBlobID = "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0"
	treePackID = "fd749cbb00000000000000000000000000000000000000000000000000000001"
	treeBlobID = "74647220ddda3c37c3b300fe783cf964cd0ce04b413bff55c1d0c6a755c7ed20"
)

// resticIndexJSON is the index plaintext restic wrote (after removing the
// 0x02 ‖ zstd encoding), with the tree pack ID completed.
const resticIndexJSON = `{"packs":[{"id":"` + dataPackID + `","blobs":[{"id":"` + dataBlobID + `","type":"data","offset":0,"length":52,"uncompressed_length":11}]},{"id":"` + treePackID + `","blobs":[{"id":"` + treeBlobID + `","type":"tree","offset":0,"length":213,"uncompressed_length":288}]}]}` + "\n"

func mustID(t testing.TB, s string) id.ID {
	t.Helper()
	i, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func resticPacks(t testing.TB) []Pack {
	return []Pack{
		{ID: mustID(t, dataPackID), Blobs: []pack.Blob{{Type: pack.DataBlob, ID: mustID(t, dataBlobID), Length: 52, UncompressedLength: 11}}},
		{ID: mustID(t, treePackID), Blobs: []pack.Blob{{Type: pack.TreeBlob, ID: mustID(t, treeBlobID), Length: 213, UncompressedLength: 288}}},
	}
}

func TestDecodeRestic(t *testing.T) {
	f, err := Decode([]byte(resticIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	if want := resticPacks(t); !reflect.DeepEqual(f.Packs, want) {
		t.Fatalf("got %+v\nwant %+v", f.Packs, want)
	}
	if f.Count() != 2 {
		t.Errorf("Count = %d", f.Count())
	}
}

func TestEncodeExactBytes(t *testing.T) {
	got, err := Encode(resticPacks(t))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != resticIndexJSON {
		t.Fatalf("got  %s\nwant %s", got, resticIndexJSON)
	}

	// Uncompressed blobs omit uncompressed_length; offsets are kept.
	packs := []Pack{{ID: mustID(t, dataPackID), Blobs: []pack.Blob{
		{Type: pack.DataBlob, ID: mustID(t, dataBlobID), Offset: 0, Length: 43},
		{Type: pack.DataBlob, ID: mustID(t, treeBlobID), Offset: 43, Length: 52, UncompressedLength: 11},
	}}}
	got, err = Encode(packs)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"packs":[{"id":"` + dataPackID + `","blobs":[{"id":"` + dataBlobID + `","type":"data","offset":0,"length":43},{"id":"` + treeBlobID + `","type":"data","offset":43,"length":52,"uncompressed_length":11}]}]}` + "\n"
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got, _ := Encode(nil); string(got) != `{"packs":[]}`+"\n" {
		t.Errorf("empty index encodes as %s", got)
	}
	bad := []Pack{{ID: id.ID{1}, Blobs: []pack.Blob{{ID: id.ID{2}, Length: 40}}}}
	if _, err := Encode(bad); err == nil {
		t.Error("blob without type encoded")
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	var packs []Pack
	for p := range 5 {
		pb := Pack{ID: id.Hash([]byte{byte(p)})}
		var off uint32
		for b := range p * 3 {
			blob := pack.Blob{Type: pack.DataBlob, ID: id.Hash([]byte{byte(p), byte(b)}), Offset: off, Length: uint32(40 + b)}
			if b%2 == 1 {
				blob.Type, blob.UncompressedLength = pack.TreeBlob, uint32(1000+b)
			}
			off += blob.Length
			pb.Blobs = append(pb.Blobs, blob)
		}
		if pb.Blobs == nil {
			pb.Blobs = []pack.Blob{}
		}
		packs = append(packs, pb)
	}
	data, err := Encode(packs)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Packs, packs) {
		t.Fatalf("round trip differs:\n%+v\n%+v", f.Packs, packs)
	}
}

func TestDecodeTolerates(t *testing.T) {
	for name, js := range map[string]string{
		"supersedes":    `{"supersedes":["` + dataPackID + `"],"packs":[]}`,
		"empty object":  `{}`,
		"null packs":    `{"packs":null}`,
		"unknown field": `{"packs":[],"future":1}`,
		"uppercase id":  `{"packs":[{"id":"` + strings.ToUpper(dataPackID) + `","blobs":[]}]}`,
	} {
		if _, err := Decode([]byte(js)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	blob := func(fields string) string {
		return `{"packs":[{"id":"` + dataPackID + `","blobs":[{` + fields + `}]}]}`
	}
	okID := `"id":"` + dataBlobID + `"`
	for name, js := range map[string]string{
		"empty":           ``,
		"not json":        `packs`,
		"truncated":       resticIndexJSON[:100],
		"pack id missing": `{"packs":[{"blobs":[]}]}`,
		"pack id short":   `{"packs":[{"id":"c43f41ef","blobs":[]}]}`,
		"pack id null":    `{"packs":[{"id":null,"blobs":[]}]}`,
		"blob id missing": blob(`"type":"data","offset":0,"length":52`),
		"blob id bad hex": blob(`"id":"` + strings.Repeat("zz", 32) + `","type":"data","offset":0,"length":52`),
		"type missing":    blob(okID + `,"offset":0,"length":52`),
		"type unknown":    blob(okID + `,"type":"blob","offset":0,"length":52`),
		"type number":     blob(okID + `,"type":0,"offset":0,"length":52`),
		"length missing":  blob(okID + `,"type":"data","offset":0`),
		"length short":    blob(okID + `,"type":"data","offset":0,"length":31`),
		"offset negative": blob(okID + `,"type":"data","offset":-1,"length":52`),
		"offset too big":  blob(okID + `,"type":"data","offset":4294967296,"length":52`),
		"packs not array": `{"packs":{}}`,
	} {
		if f, err := Decode([]byte(js)); err == nil {
			t.Errorf("%s: accepted as %+v", name, f)
		}
	}
}

func TestDecodeLegacy(t *testing.T) {
	legacy := `  [{"id":"` + dataPackID + `","blobs":[{"id":"` + dataBlobID + `","type":"data","offset":0,"length":52}]}]`
	if _, err := Decode([]byte(legacy)); !errors.Is(err, ErrLegacyFormat) {
		t.Fatalf("got %v, want ErrLegacyFormat", err)
	}
}
