package tree

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(stdinTree))
	f.Add([]byte("{\"nodes\":[]}\n"))
	f.Add(mustEncode(f, &Tree{Nodes: []*Node{fullNode(f)}}))
	f.Add([]byte(`{"nodes":[{"name":"quo\\\"te\\\\\\\\back.txt","type":"file"},{"name":"tab\\there.txt","type":"dir","subtree":"74647220ddda3c37c3b300fe783cf964cd0ce04b413bff55c1d0c6a755c7ed20"}]}`))
	f.Add([]byte(`{"nodes":[{"name":"a\u0026b\u003cc\u003e.txt","x":{"y":[1,2.5e3,"\u2028"]},"type":"symlink","linktarget":"a\ufffdb","linktarget_raw":"Yf9i","content":null}]}`))
	f.Add([]byte(`{"nodes":[{"name":"\\xff","mode":2148532735,"mtime":"2000-01-01T00:00:00.5+23:59","atime":null,"Size":1,"ſize":2,"generic_attributes":{"b":{ },"a":null},"extended_attributes":[{"name":"user.x","value":"AA=="},null]}]}`))
	f.Add([]byte(`{"nodes":[{"name":"b"},{"name":"a"},{"name":"a"}]}`))
	f.Add([]byte(`{"nodes":[null]}`))
	f.Add([]byte(`{"nodes":[{"name":"a\"b"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Decode(data)
		if err != nil {
			return
		}
		// Decode keeps any order; Encode wants restic's. Sort and drop
		// duplicates so that every decoded tree can be checked.
		slices.SortStableFunc(tr.Nodes, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
		tr.Nodes = slices.CompactFunc(tr.Nodes, func(a, b *Node) bool { return a.Name == b.Name })

		b1, err := Encode(tr)
		if err != nil {
			t.Fatalf("Encode of decoded tree: %v", err)
		}
		if !json.Valid(b1) {
			t.Fatalf("Encode produced invalid JSON: %q", b1)
		}
		tr2, err := Decode(b1)
		if err != nil {
			t.Fatalf("Decode of encoded tree: %v\n%q", err, b1)
		}
		if len(tr2.Nodes) != len(tr.Nodes) {
			t.Fatalf("%d nodes, want %d", len(tr2.Nodes), len(tr.Nodes))
		}
		for i := range tr.Nodes {
			if tr2.Nodes[i].Name != tr.Nodes[i].Name {
				t.Fatalf("name %q came back as %q", tr.Nodes[i].Name, tr2.Nodes[i].Name)
			}
		}
		b2, err := Encode(tr2)
		if err != nil {
			t.Fatalf("second Encode: %v", err)
		}
		if string(b2) != string(b1) {
			t.Fatalf("not stable:\n%q\n%q", b1, b2)
		}
	})
}
