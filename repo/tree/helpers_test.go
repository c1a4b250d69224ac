package tree

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// stdinTree is the root tree of a `restic backup --stdin` snapshot made by
// restic 0.18.1 (fact sheet §16.2).
const stdinTree = `{"nodes":[{"name":"mystdin.txt","type":"file","mode":420,"mtime":"2026-11-27T13:48:07.813554192Z","atime":"2026-11-27T13:48:07.813554192Z","ctime":"2026-11-27T13:48:07.813554192Z","uid":0,"gid":0,"size":11,"content":["bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0"]}]}` + "\n"

// stdinTreeID is the SHA-256 of stdinTree.
const stdinTreeID = "74647220ddda3c37c3b300fe783cf964cd0ce04b413bff55c1d0c6a755c7ed20"

// zeroTimes is how a node with zero times encodes them.
const zeroTimes = `"mtime":"0001-01-01T00:00:00Z","atime":"0001-01-01T00:00:00Z","ctime":"0001-01-01T00:00:00Z"`

// mustID parses a hex ID or fails the test.
func mustID(t testing.TB, s string) id.ID {
	t.Helper()
	i, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// mustEncode encodes tr or fails the test.
func mustEncode(t testing.TB, tr *Tree) []byte {
	t.Helper()
	b, err := Encode(tr)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b
}

// mustDecode decodes data or fails the test.
func mustDecode(t testing.TB, data string) *Tree {
	t.Helper()
	tr, err := Decode([]byte(data))
	if err != nil {
		t.Fatalf("Decode(%q): %v", data, err)
	}
	return tr
}

// encodeNode encodes a single node with MarshalJSON or fails the test.
func encodeNode(t testing.TB, n Node) string {
	t.Helper()
	b, err := n.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	return string(b)
}

// fullNode returns a node with every field set, including characters that
// need escaping.
func fullNode(t testing.TB) *Node {
	t.Helper()
	sub := mustID(t, "74647220ddda3c37c3b300fe783cf964cd0ce04b413bff55c1d0c6a755c7ed20")
	return &Node{
		Name:       "a&b<c>\u2028\"é\t\xff",
		Type:       TypeFile,
		Mode:       os.ModeSetuid | os.ModeSetgid | 0o750,
		ModTime:    time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("", 5*3600+30*60)),
		AccessTime: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		ChangeTime: time.Date(1969, 7, 20, 20, 17, 40, 100, time.FixedZone("", -7*3600)),
		UID:        1000,
		GID:        4294967295,
		User:       "ann<",
		Group:      "staff&",
		Inode:      18446744073709551615,
		DeviceID:   2049,
		Size:       12345,
		Links:      2,
		LinkTarget: "../t\xfeg>",
		ExtendedAttributes: []ExtendedAttribute{
			{Name: "user.z", Value: []byte("<v>")},
			{Name: "user.a", Value: nil},
		},
		GenericAttributes: map[string]json.RawMessage{
			"windows.z": json.RawMessage(`{ "x" : "<1>" }`),
			"windows.a": json.RawMessage(`42`),
		},
		Device:  259,
		Content: []id.ID{mustID(t, "bc87a7dc001abe10826ba2427b720e6e63c0f4af3e12a94d84a9dc05c215bbb0"), {}},
		Subtree: &sub,
		Error:   "oops & <err>",
	}
}
