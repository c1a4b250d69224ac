package tree

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

func TestEncodeStdinNode(t *testing.T) {
	ts := time.Date(2026, 11, 27, 13, 48, 7, 813554192, time.UTC)
	tr := &Tree{}
	err := tr.Insert(&Node{
		Name: "mystdin.txt", Type: TypeFile, Mode: 0o644,
		ModTime: ts, AccessTime: ts, ChangeTime: ts,
		Size:    11,
		Content: []id.ID{mustID(t, "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustEncode(t, tr)
	if string(got) != stdinTree {
		t.Fatalf("got  %s\nwant %s", got, stdinTree)
	}
	if h := id.Hash(got).String(); h != stdinTreeID {
		t.Fatalf("tree id %s, want %s", h, stdinTreeID)
	}
}

func TestEncodeName(t *testing.T) {
	tests := []struct {
		name string
		want string // the JSON value of "name"
	}{
		{"plain.txt", `"plain.txt"`},
		{"tab\there.txt", `"tab\\there.txt"`},
		{`quo"te\\back.txt`, `"quo\\\"te\\\\\\\\back.txt"`},
		{"a&b<c>.txt", `"a\u0026b\u003cc\u003e.txt"`},
		{"ümlaut é", `"ümlaut é"`},
		{"bad\xffutf8", `"bad\\xffutf8"`},
		{"\xc3", `"\\xc3"`},
		{"nl\nbell\a\x00", `"nl\\nbell\\a\\x00"`},
		{"line\u2028sep", `"line\\u2028sep"`},
		{"\U0010fffe", `"\\U0010fffe"`},
		{"del\x7f", `"del\\x7f"`},
	}
	for _, tt := range tests {
		got := encodeNode(t, Node{Name: tt.name, Type: TypeDir})
		want := `{"name":` + tt.want + `,"type":"dir",` + zeroTimes + `,"uid":0,"gid":0,"content":null}`
		if got != want {
			t.Errorf("name %q:\n got  %s\n want %s", tt.name, got, want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("name %q: output is not valid UTF-8", tt.name)
		}
	}
}

func TestEncodeMode(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		want string
	}{
		{0o644, `420`},
		{os.ModeSetuid | 0o755, `8389101`},
		{os.ModeDir | 0o755, `2147484141`},
		{os.ModeDir | os.ModeSticky | 0o777, `2148532735`},
		{os.ModeSymlink | 0o777, `134218239`},
		{os.ModeNamedPipe | 0o644, `33554852`},
		{os.ModeAppend | os.ModeExclusive | os.ModeTemporary | 0o600, `384`},
		{os.ModeAppend, ``}, // masked to zero, so omitted
		{0, ``},
	}
	for _, tt := range tests {
		got := encodeNode(t, Node{Name: "x", Type: TypeFile, Mode: tt.mode})
		mode := ""
		if tt.want != "" {
			mode = `"mode":` + tt.want + `,`
		}
		want := `{"name":"x","type":"file",` + mode + zeroTimes + `,"uid":0,"gid":0,"content":[]}`
		if got != want {
			t.Errorf("mode %v:\n got  %s\n want %s", tt.mode, got, want)
		}
	}
}

func TestEncodeTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, `"0001-01-01T00:00:00Z"`},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), `"2026-01-02T03:04:05Z"`},
		{time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("", 2*3600)), `"2026-01-02T03:04:05.0000006+02:00"`},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -(9*3600+30*60))), `"2026-01-02T03:04:05-09:30"`},
		{time.Date(12345, 6, 7, 8, 9, 10, 11, time.UTC), `"9999-06-07T08:09:10.000000011Z"`},
		{time.Date(-42, 6, 7, 8, 9, 10, 0, time.UTC), `"0000-06-07T08:09:10Z"`},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), `"9999-12-31T23:59:59Z"`},
	}
	for _, tt := range tests {
		got := encodeNode(t, Node{Name: "x", Type: TypeFifo, ModTime: tt.t})
		want := `"mtime":` + tt.want + `,"atime":"0001-01-01T00:00:00Z"`
		if !strings.Contains(got, want) {
			t.Errorf("time %v:\n got  %s\n want …%s…", tt.t, got, want)
		}
	}

	bad := Node{Name: "x", ModTime: time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("", 25*3600))}
	if _, err := bad.MarshalJSON(); err == nil || !strings.Contains(err.Error(), "mtime") {
		t.Errorf("zone offset of 25h: err = %v, want an error naming mtime", err)
	}
}

func TestEncodeContentAndSubtree(t *testing.T) {
	sub := mustID(t, stdinTreeID)
	blob := mustID(t, "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0")
	const head = `{"name":"x","type":`
	tests := []struct {
		desc string
		node Node
		want string
	}{
		{"file with nil content", Node{Type: TypeFile},
			`"file",` + zeroTimes + `,"uid":0,"gid":0,"content":[]}`},
		{"file with empty content", Node{Type: TypeFile, Content: []id.ID{}},
			`"file",` + zeroTimes + `,"uid":0,"gid":0,"content":[]}`},
		{"file with two blobs", Node{Type: TypeFile, Content: []id.ID{blob, blob}},
			`"file",` + zeroTimes + `,"uid":0,"gid":0,"content":["` + blob.String() + `","` + blob.String() + `"]}`},
		{"dir without subtree", Node{Type: TypeDir},
			`"dir",` + zeroTimes + `,"uid":0,"gid":0,"content":null}`},
		{"dir with subtree", Node{Type: TypeDir, Subtree: &sub},
			`"dir",` + zeroTimes + `,"uid":0,"gid":0,"content":null,"subtree":"` + stdinTreeID + `"}`},
		{"symlink with empty non-nil content", Node{Type: TypeSymlink, Content: []id.ID{}},
			`"symlink",` + zeroTimes + `,"uid":0,"gid":0,"content":[]}`},
	}
	for _, tt := range tests {
		tt.node.Name = "x"
		if got, want := encodeNode(t, tt.node), head+tt.want; got != want {
			t.Errorf("%s:\n got  %s\n want %s", tt.desc, got, want)
		}
	}
}

func TestEncodeLinkTarget(t *testing.T) {
	tests := []struct {
		desc string
		node Node
		want string // members between "gid" and "content"
	}{
		{"valid", Node{LinkTarget: "../a&b"}, `"linktarget":"../a\u0026b",`},
		{"invalid utf-8", Node{LinkTarget: "a\xffb"}, `"linktarget":"a\ufffdb","linktarget_raw":"Yf9i",`},
		{"raw given", Node{LinkTarget: "a\ufffdb", LinkTargetRaw: []byte("a\xffb")}, `"linktarget":"a�b","linktarget_raw":"Yf9i",`},
		{"empty raw", Node{LinkTarget: "t", LinkTargetRaw: []byte{}}, `"linktarget":"t",`},
	}
	for _, tt := range tests {
		tt.node.Name, tt.node.Type = "l", TypeSymlink
		want := `{"name":"l","type":"symlink",` + zeroTimes + `,"uid":0,"gid":0,` + tt.want + `"content":null}`
		if got := encodeNode(t, tt.node); got != want {
			t.Errorf("%s:\n got  %s\n want %s", tt.desc, got, want)
		}
	}
}

// resticNode mirrors the field order and omitempty tags of restic's node as
// listed in the fact sheet §8.2. encoding/json applied to it is an
// independent oracle for field order, omission and escaping.
type resticNode struct {
	Name               string                     `json:"name"`
	Type               string                     `json:"type"`
	Mode               os.FileMode                `json:"mode,omitempty"`
	ModTime            time.Time                  `json:"mtime,omitempty"`
	AccessTime         time.Time                  `json:"atime,omitempty"`
	ChangeTime         time.Time                  `json:"ctime,omitempty"`
	UID                uint32                     `json:"uid"`
	GID                uint32                     `json:"gid"`
	User               string                     `json:"user,omitempty"`
	Group              string                     `json:"group,omitempty"`
	Inode              uint64                     `json:"inode,omitempty"`
	DeviceID           uint64                     `json:"device_id,omitempty"`
	Size               uint64                     `json:"size,omitempty"`
	Links              uint64                     `json:"links,omitempty"`
	LinkTarget         string                     `json:"linktarget,omitempty"`
	LinkTargetRaw      []byte                     `json:"linktarget_raw,omitempty"`
	ExtendedAttributes []ExtendedAttribute        `json:"extended_attributes,omitempty"`
	GenericAttributes  map[string]json.RawMessage `json:"generic_attributes,omitempty"`
	Device             uint64                     `json:"device,omitempty"`
	Content            []id.ID                    `json:"content"`
	Subtree            *id.ID                     `json:"subtree,omitempty"`
	Error              string                     `json:"error,omitempty"`
}

func TestEncodeMatchesStructOracle(t *testing.T) {
	full := fullNode(t)
	nodes := []*Node{
		full,
		{Name: "empty"},
		{Name: "d", Type: TypeDir, Mode: os.ModeDir | 0o755, UID: 1, Inode: 7, Links: 0, User: "u"},
		{Name: "dev", Type: TypeCharDev, Mode: os.ModeDevice | os.ModeCharDevice | 0o600, Device: 1025, Links: 1},
		{Name: "sock", Type: TypeSocket, Mode: os.ModeSocket | 0o777, Error: "x"},
	}
	for _, n := range nodes {
		o := resticNode{
			Name: strconv.Quote(n.Name)[1 : len(strconv.Quote(n.Name))-1],
			Type: n.Type, Mode: n.Mode & modeMask,
			ModTime: n.ModTime, AccessTime: n.AccessTime, ChangeTime: n.ChangeTime,
			UID: n.UID, GID: n.GID, User: n.User, Group: n.Group,
			Inode: n.Inode, DeviceID: n.DeviceID, Size: n.Size, Links: n.Links,
			LinkTarget: n.LinkTarget, LinkTargetRaw: n.LinkTargetRaw,
			ExtendedAttributes: n.ExtendedAttributes, GenericAttributes: n.GenericAttributes,
			Device: n.Device, Content: n.Content, Subtree: n.Subtree, Error: n.Error,
		}
		if !utf8.ValidString(n.LinkTarget) && o.LinkTargetRaw == nil {
			o.LinkTargetRaw = []byte(n.LinkTarget)
		}
		if o.Content == nil && n.Type == TypeFile {
			o.Content = []id.ID{}
		}
		want, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeNode(t, *n); got != string(want) {
			t.Errorf("node %q:\n got  %s\n want %s", n.Name, got, want)
		}
	}
}

func TestMarshalDoesNotModifyNode(t *testing.T) {
	n := &Node{Name: "x", Type: TypeSymlink, LinkTarget: "\xff", Mode: os.ModeAppend}
	encodeNode(t, *n)
	if n.LinkTargetRaw != nil || n.Mode != os.ModeAppend || n.Content != nil {
		t.Fatalf("node modified: %+v", n)
	}
}

func TestJSONMarshalUsesNodeEncoding(t *testing.T) {
	n := Node{Name: "a<b", Type: TypeFile}
	for _, v := range []any{n, &n, []*Node{&n}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `{"name":"a\u003cb","type":"file",`) {
			t.Errorf("json.Marshal(%T) = %s", v, b)
		}
	}
}
