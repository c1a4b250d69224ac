package tree

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeStdinTree(t *testing.T) {
	tr := mustDecode(t, stdinTree)
	if len(tr.Nodes) != 1 {
		t.Fatalf("%d nodes, want 1", len(tr.Nodes))
	}
	n := tr.Nodes[0]
	ts := time.Date(2026, 11, 27, 13, 48, 7, 813554192, time.UTC)
	if n.Name != "mystdin.txt" || n.Type != TypeFile || n.Mode != 0o644 || n.Size != 11 ||
		!n.ModTime.Equal(ts) || !n.AccessTime.Equal(ts) || !n.ChangeTime.Equal(ts) ||
		len(n.Content) != 1 || n.Content[0].String() != "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0" ||
		n.Subtree != nil || n.unknown != nil {
		t.Fatalf("unexpected node %+v", n)
	}
}

func TestDecodeName(t *testing.T) {
	names := []string{
		"plain", "tab\there.txt", `quo"te\\back.txt`, "a&b<c>.txt", "ümlaut",
		"bad\xffutf8", "\xc3", "nl\nbell\a\x00", "line\u2028sep", "\U0010fffe", "\x7f",
	}
	for _, name := range names {
		tr := mustDecode(t, string(mustEncode(t, &Tree{Nodes: []*Node{{Name: name, Type: TypeFile}}})))
		if got := tr.Nodes[0].Name; got != name {
			t.Errorf("name %q decoded as %q", name, got)
		}
	}
}

func TestDecodeNameRestic(t *testing.T) {
	// Names as restic could store them, and what they mean.
	tests := []struct {
		json string
		want string
	}{
		{`"tab\\there.txt"`, "tab\there.txt"},
		{`"quo\\\"te\\\\\\\\back.txt"`, `quo"te\\back.txt`},
		{`"a\u0026b\u003cc\u003e.txt"`, "a&b<c>.txt"},
		{`"a&b<c>.txt"`, "a&b<c>.txt"},
		{`"\\xff\\xfe"`, "\xff\xfe"},
		{`"\\u00e9"`, "é"},
		{`"é"`, "é"},
		{`"a` + "\xff" + `b"`, "a\ufffdb"}, // raw invalid UTF-8 is replaced by the JSON decoder
	}
	for _, tt := range tests {
		tr := mustDecode(t, `{"nodes":[{"name":`+tt.json+`,"type":"file"}]}`)
		if got := tr.Nodes[0].Name; got != tt.want {
			t.Errorf("name %s decoded as %q, want %q", tt.json, got, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		data string
		want string // substring of the error
	}{
		{``, "decode tree"},
		{`{"nodes":[`, "decode tree"},
		{`[]`, "decode tree"},
		{`{"nodes":{}}`, "decode tree"},
		{`{"nodes":[null]}`, "node 0 is null"},
		{`{"nodes":[{"name":"a"},5]}`, "node 1"},
		{`{"nodes":[{"name":"a\"b"}]}`, `invalid escaped name "a\"b"`},
		{`{"nodes":[{"name":"a\\"}]}`, `invalid escaped name "a\\"`},
		{`{"nodes":[{"name":"a\\qb"}]}`, `invalid escaped name`},
		{`{"nodes":[{"name":"a\nb"}]}`, `invalid escaped name`},
		{`{"nodes":[{"name":"x","uid":-1}]}`, "uid"},
		{`{"nodes":[{"name":"x","mode":4294967296}]}`, "mode"},
		{`{"nodes":[{"name":"x","mtime":"yesterday"}]}`, "yesterday"},
		{`{"nodes":[{"name":"x","content":["abc"]}]}`, "invalid id"},
		{`{"nodes":[{"name":"x","content":[null]}]}`, "invalid id"},
		{`{"nodes":[{"name":"x","subtree":"zz"}]}`, "invalid id"},
		{`{"nodes":[{"name":"x","linktarget_raw":"!!"}]}`, "base64"},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%s): err = %v, want it to mention %q", tt.data, err, tt.want)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	// Inputs restic's reader accepts.
	tests := []struct {
		data  string
		nodes int
	}{
		{`null`, 0},
		{`{}`, 0},
		{`{"nodes":null}`, 0},
		{` { "nodes" : [ ] , "extra" : 1 } `, 0},
		{`{"NODES":[{"name":"x"}]}`, 1},
		{`{"nodes":[{}]}`, 1},
		{`{"nodes":[{"name":"b"},{"name":"a"}]}`, 2}, // unsorted is kept as stored
	}
	for _, tt := range tests {
		if tr := mustDecode(t, tt.data); len(tr.Nodes) != tt.nodes {
			t.Errorf("Decode(%s): %d nodes, want %d", tt.data, len(tr.Nodes), tt.nodes)
		}
	}
}

func TestDecodeCaseInsensitiveKeys(t *testing.T) {
	// encoding/json, and so restic, match member names case-insensitively,
	// the exact spelling winning; the last duplicate wins.
	tr := mustDecode(t, `{"nodes":[{"NAME":"x","Type":"file","ſize":7,"UID":3,"uid":4,"Gid":5,"gid":6,"GID":8}]}`)
	n := tr.Nodes[0]
	if n.Name != "x" || n.Type != TypeFile || n.Size != 7 || n.UID != 4 || n.GID != 8 || n.unknown != nil {
		t.Fatalf("unexpected node %+v", n)
	}
}

func TestUnknownFieldsRoundTrip(t *testing.T) {
	in := `{"nodes":[{"name":"a","zzz":{ "x" : [1, 2] },"type":"file",` + zeroTimes +
		`,"uid":0,"gid":0,"future":"<&>","content":[],"aaa":null,"zzz":true,"Ünknown":1.50}]}` + "\n"
	want := `{"nodes":[{"name":"a","type":"file",` + zeroTimes +
		`,"uid":0,"gid":0,"content":[],"zzz":{"x":[1,2]},"future":"\u003c\u0026\u003e","aaa":null,"zzz":true,"Ünknown":1.50}]}` + "\n"
	tr := mustDecode(t, in)
	got := mustEncode(t, tr)
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if again := mustEncode(t, mustDecode(t, string(got))); string(again) != want {
		t.Fatalf("second round trip changed bytes:\n%s", again)
	}
}

func TestDecodeLinkTargetRaw(t *testing.T) {
	in := `{"nodes":[{"name":"l","type":"symlink",` + zeroTimes +
		`,"uid":0,"gid":0,"linktarget":"a\ufffdb","linktarget_raw":"Yf9i","content":null}]}` + "\n"
	tr := mustDecode(t, in)
	if n := tr.Nodes[0]; n.LinkTarget != "a\xffb" || string(n.LinkTargetRaw) != "a\xffb" {
		t.Fatalf("LinkTarget %q, LinkTargetRaw %q", n.LinkTarget, n.LinkTargetRaw)
	}
	if got := mustEncode(t, tr); string(got) != in {
		t.Fatalf("got  %s\nwant %s", got, in)
	}

	// restic before 0.16 kept only the lossy copy.
	old := mustDecode(t, `{"nodes":[{"name":"l","type":"symlink","linktarget":"tgt\ufffd"}]}`)
	if n := old.Nodes[0]; n.LinkTarget != "tgt\ufffd" || n.LinkTargetRaw != nil {
		t.Fatalf("LinkTarget %q, LinkTargetRaw %q", n.LinkTarget, n.LinkTargetRaw)
	}
}

func TestFullNodeRoundTrip(t *testing.T) {
	n := fullNode(t)
	b := mustEncode(t, &Tree{Nodes: []*Node{n}})
	tr := mustDecode(t, string(b))
	got := tr.Nodes[0]

	// Encoding normalises a few things; everything else must come back.
	want := *n
	want.Mode &= modeMask
	want.LinkTargetRaw = []byte(n.LinkTarget)
	want.GenericAttributes = map[string]json.RawMessage{
		"windows.z": json.RawMessage(`{"x":"\u003c1\u003e"}`),
		"windows.a": json.RawMessage(`42`),
	}
	// Times come back as the same instants, in fixed zones.
	times := [][2]time.Time{{n.ModTime, got.ModTime}, {n.AccessTime, got.AccessTime}, {n.ChangeTime, got.ChangeTime}}
	for _, tt := range times {
		if !tt[0].Equal(tt[1]) {
			t.Errorf("time %v came back as %v", tt[0], tt[1])
		}
	}
	want.ModTime, want.AccessTime, want.ChangeTime = got.ModTime, got.AccessTime, got.ChangeTime
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("round trip:\n got  %+v\n want %+v", *got, want)
	}
	if again := mustEncode(t, tr); string(again) != string(b) {
		t.Fatalf("re-encoding changed bytes:\n%s\n%s", b, again)
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var ns []*Node
	if err := json.Unmarshal([]byte(`[{"name":"a\\tb","type":"dir","mode":2147484141,"x":1},null]`), &ns); err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 || ns[0].Name != "a\tb" || ns[0].Mode != os.ModeDir|0o755 || ns[1] != nil {
		t.Fatalf("unexpected %+v", ns)
	}
	n := Node{Name: "keep"}
	if err := n.UnmarshalJSON([]byte("null")); err != nil || n.Name != "keep" {
		t.Fatalf("null: %v, %+v", err, n)
	}
	if err := n.UnmarshalJSON([]byte(`{"name":"\\z"}`)); err == nil || !strings.HasPrefix(err.Error(), "decode node: ") {
		t.Fatalf("bad name: err = %v", err)
	}
}
