package index

import (
	"reflect"
	"testing"
)

// FuzzDecode must never panic; whatever decodes must encode and decode
// back to the same packs.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(resticIndexJSON))
	f.Add([]byte(`{"supersedes":["` + dataPackID + `"],"packs":[{"id":"` + dataPackID + `","blobs":[]}]}`))
	f.Add([]byte(`[{"id":"` + dataPackID + `","blobs":[]}]`))
	f.Add([]byte(`{"packs":[{"id":"` + dataPackID + `","blobs":[{"id":"` + dataBlobID + `","type":"tree","offset":4294967295,"length":32}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			return
		}
		enc, err := Encode(file.Packs)
		if err != nil {
			t.Fatalf("decoded index does not encode: %v", err)
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("encoded index does not decode: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(again.Packs, file.Packs) {
			t.Fatalf("round trip differs:\n%+v\n%+v", again.Packs, file.Packs)
		}
		var idx Index
		if err := idx.AddFile(file); err != nil {
			t.Fatalf("decoded index rejected by Add: %v", err)
		}
	})
}
