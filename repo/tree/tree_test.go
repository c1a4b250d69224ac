package tree

import (
	"errors"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

func TestStdinTreeRoundTrip(t *testing.T) {
	got := mustEncode(t, mustDecode(t, stdinTree))
	if string(got) != stdinTree {
		t.Fatalf("got  %s\nwant %s", got, stdinTree)
	}
	if h := id.Hash(got).String(); h != stdinTreeID {
		t.Fatalf("tree id %s, want %s", h, stdinTreeID)
	}
}

func TestEmptyTree(t *testing.T) {
	const want = "{\"nodes\":[]}\n"
	for _, tr := range []*Tree{nil, {}, {Nodes: []*Node{}}, mustDecode(t, want)} {
		got := mustEncode(t, tr)
		if string(got) != want || len(got) != 13 {
			t.Errorf("Encode(%v) = %q, want %q", tr, got, want)
		}
	}
}

func TestInsertSorts(t *testing.T) {
	var tr Tree
	for _, name := range []string{"b", "a", "é", "B", "c", "a.txt", "_", "\xff", "ab"} {
		if err := tr.Insert(&Node{Name: name, Type: TypeFile}); err != nil {
			t.Fatalf("Insert(%q): %v", name, err)
		}
	}
	var names []string
	for _, n := range tr.Nodes {
		names = append(names, n.Name)
	}
	want := []string{"B", "_", "a", "a.txt", "ab", "b", "c", "é", "\xff"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("order %q, want %q", names, want)
	}
	mustEncode(t, &tr)
}

func TestInsertRejectsDuplicates(t *testing.T) {
	var tr Tree
	if err := tr.Insert(&Node{Name: "x", Type: TypeFile}); err != nil {
		t.Fatal(err)
	}
	err := tr.Insert(&Node{Name: "x", Type: TypeDir})
	if !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("err = %v, want ErrDuplicateName", err)
	}
	if len(tr.Nodes) != 1 || tr.Nodes[0].Type != TypeFile {
		t.Fatalf("tree changed: %+v", tr.Nodes)
	}
	if err := tr.Insert(nil); err == nil {
		t.Fatal("Insert(nil) succeeded")
	}
}

func TestEncodeRejectsBadOrder(t *testing.T) {
	tests := []struct {
		names []string
		want  error
	}{
		{[]string{"b", "a"}, ErrUnsorted},
		{[]string{"a", "a"}, ErrDuplicateName},
		{[]string{"a", "c", "b"}, ErrUnsorted},
	}
	for _, tt := range tests {
		var tr Tree
		for _, name := range tt.names {
			tr.Nodes = append(tr.Nodes, &Node{Name: name, Type: TypeFile})
		}
		if _, err := Encode(&tr); !errors.Is(err, tt.want) {
			t.Errorf("Encode(%q): err = %v, want %v", tt.names, err, tt.want)
		}
	}
	if _, err := Encode(&Tree{Nodes: []*Node{nil}}); err == nil {
		t.Error("Encode with a nil node succeeded")
	}
}

func TestEncodeSeveralNodes(t *testing.T) {
	var tr Tree
	for _, name := range []string{"b", "a"} {
		if err := tr.Insert(&Node{Name: name, Type: TypeDir}); err != nil {
			t.Fatal(err)
		}
	}
	node := func(name string) string {
		return `{"name":"` + name + `","type":"dir",` + zeroTimes + `,"uid":0,"gid":0,"content":null}`
	}
	want := `{"nodes":[` + node("a") + `,` + node("b") + "]}\n"
	if got := mustEncode(t, &tr); string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
