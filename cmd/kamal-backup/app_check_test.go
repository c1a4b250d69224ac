package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
)

// TestOpsCheckRotation requires check --read-data-subset auto/3 to read
// the groups 1/3, 2/3 and 3/3 in turn, so that every pack written before
// is then in the verified packs ledger, refuses malformed auto forms, and requires repo
// check, which keeps no state, to refuse auto/N with a pointer to check.
func TestOpsCheckRotation(t *testing.T) {
	t.Parallel()
	a := newOpsSQLiteApp(t, nil)
	a.mustRun(t, "backup")
	// Each check's record, mirrored into the repository, adds packs
	// after it read its group: the cycle covers the packs before it.
	packs, err := filepath.Glob(a.path("repo/data/*/*"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no packs: %v", err)
	}
	for _, want := range []string{"1/3", "2/3", "3/3", "1/3"} {
		res := a.mustRun(t, "check", "--read-data-subset", "auto/3", "--json")
		var rec kbackup.CheckRecord
		if err := json.Unmarshal([]byte(res.stdout), &rec); err != nil || rec.ReadDataSubset != want || rec.ReadDataRotation != "auto/3" {
			t.Errorf("check auto/3: read %q (%q), want %s: %v", rec.ReadDataSubset, rec.ReadDataRotation, want, err)
		}
	}
	var l kbackup.VerifiedPacks
	a.record(t, kbackup.VerifiedPacksRecord, &l)
	for _, p := range packs {
		if _, ok := l.Packs[filepath.Base(p)]; !ok {
			t.Errorf("pack %.8s is not in the ledger after a cycle", filepath.Base(p))
		}
	}
	var rot kbackup.CheckRotation
	a.record(t, kbackup.CheckRotationRecord, &rot)
	if rot.Buckets != 3 || rot.Next != 2 {
		t.Errorf("rotation %+v, want next 2 of 3", rot)
	}

	for _, bad := range []string{"auto/0", "auto/x", "auto/1001"} {
		res := a.run(t, nil, "check", "--read-data-subset", bad)
		if res.code != exitError || !strings.Contains(res.stderr, "auto/N") {
			t.Errorf("check --read-data-subset %s: exit %d\n%s", bad, res.code, res.stderr)
		}
	}
	res := a.run(t, nil, "repo", "check", "--read-data-subset", "auto/3")
	if res.code != exitError || !strings.Contains(res.stderr, "auto/N needs the state directory; use kamal-backup check") {
		t.Errorf("repo check --read-data-subset auto/3: exit %d\n%s", res.code, res.stderr)
	}
}
