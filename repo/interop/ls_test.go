package interop

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// lsFields are the node fields restic ls --json prints; restic 0.14 omits
// inode, and both print size for files only.
var lsFields = []string{"name", "type", "path", "uid", "gid", "mode", "permissions", "mtime", "atime", "ctime"}

// TestLs compares Walk with restic ls --json for every snapshot: same
// paths in the same order and the same value for every printed field.
func TestLs(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		for _, m := range rr.snaps {
			sid := m["id"].(string)
			t.Run(sid[:8], func(t *testing.T) { compareLs(t, rr, sid) })
		}
	})
}

func compareLs(t *testing.T, rr *resticRepo, sid string) {
	lines := decodeJSONLines(t, rr.restic(t, "ls", "--json", sid[:8]))
	if len(lines) == 0 || lines[0]["id"] != sid {
		t.Fatalf("restic ls %s: first record %v is not the snapshot", sid[:8], lines)
	}
	restic := lines[1:]
	sn, err := rr.r.FindSnapshot(t.Context(), sid, repo.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	printsInode := false
	for _, rn := range restic {
		_, ok := rn["inode"]
		printsInode = printsInode || ok
	}
	var i int
	err = rr.r.Walk(t.Context(), *sn.Tree, "/", func(p string, n *repo.Node) error {
		if i >= len(restic) {
			t.Errorf("Walk yields %s after restic's last node", p)
			return nil
		}
		rn := restic[i]
		i++
		for _, f := range lsFields {
			if _, ok := rn[f]; !ok {
				t.Errorf("restic ls %s: no %q field", p, f)
			}
		}
		if _, ok := rn["size"]; ok != (n.Type == "file") {
			t.Errorf("restic ls %s: size printed %v for a %s", p, ok, n.Type)
		}
		compareFields(t, p, rn, lsNode(t, p, n, rn, printsInode))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(restic) {
		t.Errorf("Walk yields %d nodes, restic ls %d", i, len(restic))
	}
}

// lsNode is our node as restic ls --json prints it. Inodes are included
// when restic prints them (0.17+), which it omits when zero.
func lsNode(t testing.TB, p string, n *repo.Node, rn map[string]any, printsInode bool) map[string]any {
	t.Helper()
	num := func(v uint64) json.Number { return json.Number(strconv.FormatUint(v, 10)) }
	ts := func(tm time.Time) string { return tm.Format(time.RFC3339Nano) }
	m := map[string]any{
		"name": n.Name, "type": n.Type, "path": p,
		"uid": num(uint64(n.UID)), "gid": num(uint64(n.GID)),
		"mode": num(uint64(uint32(n.Mode))), "permissions": n.Mode.String(),
		"mtime": ts(n.ModTime), "atime": ts(n.AccessTime), "ctime": ts(n.ChangeTime),
	}
	if n.Type == "file" {
		m["size"] = num(n.Size)
	}
	if _, ok := rn["inode"]; ok || printsInode && n.Inode != 0 {
		m["inode"] = num(n.Inode)
	}
	return m
}
