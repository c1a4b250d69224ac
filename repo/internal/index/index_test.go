package index

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

func TestIndexRestic(t *testing.T) {
	f, err := Decode([]byte(resticIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx Index // the zero value is usable
	if err := idx.AddFile(f); err != nil {
		t.Fatal(err)
	}
	data := pack.Handle{ID: mustID(t, dataBlobID), Type: pack.DataBlob}
	tree := pack.Handle{ID: mustID(t, treeBlobID), Type: pack.TreeBlob}

	got := idx.Lookup(data)
	want := []PackedBlob{{PackID: mustID(t, dataPackID), Blob: pack.Blob{Type: pack.DataBlob, ID: data.ID, Length: 52, UncompressedLength: 11}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Lookup(data) = %+v", got)
	}
	if got := idx.Lookup(tree); len(got) != 1 || got[0].PackID != mustID(t, treePackID) || got[0].Length != 213 {
		t.Fatalf("Lookup(tree) = %+v", got)
	}
	// A data and a tree blob with the same ID are different blobs.
	if idx.Has(pack.Handle{ID: data.ID, Type: pack.TreeBlob}) || idx.Lookup(pack.Handle{ID: tree.ID, Type: pack.DataBlob}) != nil {
		t.Error("type is not part of the key")
	}
	if idx.Has(pack.Handle{ID: data.ID}) {
		t.Error("invalid type found")
	}
	if n, ok := idx.Size(data); !ok || n != 11 {
		t.Errorf("Size(data) = %d, %v", n, ok)
	}
	if n, ok := idx.Size(tree); !ok || n != 288 {
		t.Errorf("Size(tree) = %d, %v", n, ok)
	}
	if _, ok := idx.Size(pack.Handle{ID: id.ID{9}, Type: pack.DataBlob}); ok {
		t.Error("Size of unknown blob")
	}
	if idx.Count(pack.DataBlob) != 1 || idx.Count(pack.TreeBlob) != 1 || idx.NumPacks() != 2 {
		t.Errorf("counts %d %d %d", idx.Count(pack.DataBlob), idx.Count(pack.TreeBlob), idx.NumPacks())
	}
	// The data pack of §16.2 is 129 bytes and the tree pack 290 bytes.
	if n, ok := idx.PackSize(mustID(t, dataPackID)); !ok || n != 129 {
		t.Errorf("PackSize(data pack) = %d, %v", n, ok)
	}
	if n, ok := idx.PackSize(mustID(t, treePackID)); !ok || n != 290 {
		t.Errorf("PackSize(tree pack) = %d, %v", n, ok)
	}
	if _, ok := idx.PackSize(id.ID{7}); ok || idx.HasPack(id.ID{7}) {
		t.Error("unknown pack found")
	}
}

func TestIndexDuplicates(t *testing.T) {
	p1, p2 := id.ID{1}, id.ID{2}
	b := pack.Blob{Type: pack.DataBlob, ID: id.ID{0xaa}, Offset: 0, Length: 100}
	other := pack.Blob{Type: pack.DataBlob, ID: id.ID{0xbb}, Offset: 100, Length: 50, UncompressedLength: 70}
	idx := New()
	for range 3 { // the same index file loaded three times
		if err := idx.Add(p1, []pack.Blob{b, other}); err != nil {
			t.Fatal(err)
		}
	}
	if got := idx.Lookup(b.Handle()); len(got) != 1 {
		t.Fatalf("exact duplicates did not collapse: %+v", got)
	}
	if n, _ := idx.PackSize(p1); n != pack.PackSize([]pack.Blob{b, other}) {
		t.Errorf("PackSize %d counts duplicates; want %d", n, pack.PackSize([]pack.Blob{b, other}))
	}

	// The same blob in a second pack, and at another offset in the first.
	moved := b
	moved.Offset = 150
	idx.Add(p2, []pack.Blob{b})
	idx.Add(p2, []pack.Blob{b})
	idx.Add(p1, []pack.Blob{moved})
	got := idx.Lookup(b.Handle())
	want := []PackedBlob{{Blob: b, PackID: p1}, {Blob: b, PackID: p2}, {Blob: moved, PackID: p1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Lookup = %+v\nwant %+v", got, want)
	}
	if idx.Count(pack.DataBlob) != 2 {
		t.Errorf("Count = %d, want 2 distinct blobs", idx.Count(pack.DataBlob))
	}

	packs := idx.Packs()
	wantPacks := map[id.ID][]pack.Blob{p1: {b, other, moved}, p2: {b}}
	if !reflect.DeepEqual(packs, wantPacks) {
		t.Fatalf("Packs = %+v", packs)
	}
	for pid, blobs := range packs {
		if n, _ := idx.PackSize(pid); n != pack.PackSize(blobs) {
			t.Errorf("pack %v: PackSize %d, pack.PackSize %d", pid.Str(), n, pack.PackSize(blobs))
		}
	}

	var seen int
	idx.Each(func(pb PackedBlob) bool { seen++; return true })
	if seen != 4 {
		t.Errorf("Each visited %d locations, want 4", seen)
	}
	seen = 0
	idx.Each(func(pb PackedBlob) bool { seen++; return false })
	if seen != 1 {
		t.Errorf("Each did not stop: %d", seen)
	}
}

func TestIndexAddValidates(t *testing.T) {
	idx := New()
	good := pack.Blob{Type: pack.TreeBlob, ID: id.ID{1}, Length: 40}
	for _, bad := range []pack.Blob{{ID: id.ID{2}, Length: 40}, {Type: pack.DataBlob, ID: id.ID{3}, Length: 31}} {
		if err := idx.Add(id.ID{9}, []pack.Blob{good, bad}); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if idx.Has(good.Handle()) || idx.NumPacks() != 0 {
		t.Error("failed Add changed the index")
	}
	if err := idx.Add(id.ID{9}, nil); err != nil {
		t.Fatal(err)
	}
	if blobs, ok := idx.Packs()[id.ID{9}]; !ok || len(blobs) != 0 {
		t.Errorf("empty pack missing: %v %v", blobs, ok)
	}
	if n, _ := idx.PackSize(id.ID{9}); n != pack.HeaderOverhead {
		t.Errorf("empty pack size %d", n)
	}
	if ids := idx.PackIDs(); len(ids) != 1 || ids[0] != (id.ID{9}) {
		t.Errorf("PackIDs = %v", ids)
	}
}

// Concurrent loading and lookups; run with -race.
func TestIndexConcurrent(t *testing.T) {
	idx := New()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range 50 {
				pid := id.Hash([]byte(fmt.Sprint(w, p)))
				blobs := []pack.Blob{{Type: pack.DataBlob, ID: id.Hash([]byte(fmt.Sprint(p))), Length: 40}}
				if err := idx.Add(pid, blobs); err != nil {
					t.Error(err)
				}
				idx.Lookup(blobs[0].Handle())
				idx.Size(blobs[0].Handle())
			}
		}()
	}
	wg.Wait()
	if idx.Count(pack.DataBlob) != 50 || idx.NumPacks() != 400 {
		t.Fatalf("Count %d NumPacks %d", idx.Count(pack.DataBlob), idx.NumPacks())
	}
	if got := idx.Lookup(pack.Handle{ID: id.Hash([]byte("7")), Type: pack.DataBlob}); len(got) != 8 {
		t.Fatalf("blob in %d packs, want 8", len(got))
	}
}

func TestSplit(t *testing.T) {
	mk := func(sizes ...int) []Pack {
		var ps []Pack
		for i, n := range sizes {
			ps = append(ps, Pack{ID: id.ID{byte(i)}, Blobs: make([]pack.Blob, n)})
		}
		return ps
	}
	counts := func(files [][]Pack) [][]int {
		var out [][]int
		for _, f := range files {
			var c []int
			for _, p := range f {
				c = append(c, len(p.Blobs))
			}
			out = append(out, c)
		}
		return out
	}
	tests := []struct {
		sizes []int
		max   int
		want  [][]int
	}{
		{nil, 10, nil},
		{[]int{3}, 10, [][]int{{3}}},
		{[]int{3, 3, 3}, 10, [][]int{{3, 3, 3}}},
		{[]int{4, 3, 3, 1}, 10, [][]int{{4, 3, 3}, {1}}},
		{[]int{5, 6, 4, 10, 1}, 10, [][]int{{5}, {6, 4}, {10}, {1}}},
		{[]int{2, 25, 2}, 10, [][]int{{2}, {25}, {2}}}, // oversized pack alone, never split
		{[]int{0, 0, 10, 0}, 10, [][]int{{0, 0, 10, 0}}},
		{[]int{MaxBlobsPerFile, 1}, 0, [][]int{{MaxBlobsPerFile}, {1}}},
	}
	for _, tc := range tests {
		files := Split(mk(tc.sizes...), tc.max)
		if got := counts(files); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Split(%v, %d) = %v, want %v", tc.sizes, tc.max, got, tc.want)
		}
		var order []byte
		for _, f := range files {
			for _, p := range f {
				order = append(order, p.ID[0])
			}
		}
		for i, b := range order {
			if int(b) != i {
				t.Errorf("Split(%v) reordered packs: %v", tc.sizes, order)
				break
			}
		}
	}
}
